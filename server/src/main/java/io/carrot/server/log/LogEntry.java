package io.carrot.server.log;

/**
 * One logged request. Nullable fields are null when they do not apply (a passthrough request has
 * no prediction; a request refused before routing has no decision).
 *
 * @param requestId carrot's id ({@code x-carrot-request-id})
 * @param createdAt epoch milliseconds when the request arrived
 * @param day UTC date {@code yyyy-mm-dd} (budgets are per day)
 * @param keyId the client key's id
 * @param endpoint {@code chat}, {@code responses}, {@code embeddings} or {@code route}
 * @param requestedModel the {@code model} the client sent
 * @param policy {@code mu}, {@code budget}, {@code min-quality}, {@code passthrough} or {@code none}
 * @param mu the mu used, after budget pressure
 * @param promptSha256 hex SHA-256 of the routed text
 * @param prompt the routed text, when the log keeps prompts
 * @param stream whether the client asked for a stream
 * @param decisionJson every candidate's predictions, as {@code /v1/route} returns them
 * @param chosenModel the router's first choice
 * @param answeredModel the model that answered (differs from the choice after a fallback)
 * @param completionId the upstream's completion id ({@code chatcmpl-...})
 * @param inputTokens input tokens counted at route time
 * @param predictedQuality the answering model's predicted quality
 * @param predictedOutputTokens the answering model's predicted output tokens
 * @param predictedCostUsd the answering model's predicted cost
 * @param actualInputTokens prompt tokens the upstream reported
 * @param actualOutputTokens completion tokens the upstream reported
 * @param actualCostUsd reported tokens at the configured prices
 * @param chargedUsd what was added to the key's daily spend
 * @param priceInputPerMtok the answering model's input price
 * @param priceOutputPerMtok the answering model's output price
 * @param routerMs embedding, prediction and decision time
 * @param upstreamMs time until the answering upstream's response headers
 * @param totalMs time until the last byte was sent
 * @param status HTTP status sent to the client; for an answer that failed after its headers, the
 *     failure's: 502 (the upstream broke the stream), 504 (it stalled), 499 (the client left)
 * @param error error message, if any
 * @param fallbacks failed attempts before the answer
 * @param attemptsJson every attempt: model, outcome, milliseconds
 * @param deliveredOutputTokens output tokens relayed to the client, counted by carrot (set when an
 *     answer is charged by what was delivered, e.g. a stream that broke midway); null when not counted
 * @param failureReason why the answer failed or ended early, a short label such as
 *     {@code stream_broken}, {@code client_gone}, {@code upstream_stalled}; null for a whole answer
 */
public record LogEntry(
    String requestId,
    long createdAt,
    String day,
    String keyId,
    String endpoint,
    String requestedModel,
    String policy,
    Double mu,
    String promptSha256,
    String prompt,
    boolean stream,
    String decisionJson,
    String chosenModel,
    String answeredModel,
    String completionId,
    Double inputTokens,
    Double predictedQuality,
    Double predictedOutputTokens,
    Double predictedCostUsd,
    Long actualInputTokens,
    Long actualOutputTokens,
    Double actualCostUsd,
    double chargedUsd,
    Double priceInputPerMtok,
    Double priceOutputPerMtok,
    Double routerMs,
    Double upstreamMs,
    double totalMs,
    int status,
    String error,
    int fallbacks,
    String attemptsJson,
    Long deliveredOutputTokens,
    String failureReason) {

  /**
   * A rough size in memory, for bounding the write queue in bytes: two bytes per character of the
   * strings plus a fixed allowance for the numbers and the object headers.
   */
  public long approxBytes() {
    long chars = 0;
    for (String s : new String[] {
        requestId, day, keyId, endpoint, requestedModel, policy, promptSha256, prompt, decisionJson, chosenModel,
        answeredModel, completionId, error, attemptsJson, failureReason}) {
      chars += s == null ? 0 : s.length();
    }
    return 2 * chars + 512;
  }

  /** Collects a request's fields as it is served. */
  public static final class Builder {
    public String requestId;
    public long createdAt;
    public String day;
    public String keyId = "anonymous";
    public String endpoint;
    public String requestedModel = "";
    public String policy = "none";
    public Double mu;
    public String promptSha256;
    public String prompt;
    public boolean stream;
    public String decisionJson;
    public String chosenModel;
    public String answeredModel;
    public String completionId;
    public Double inputTokens;
    public Double predictedQuality;
    public Double predictedOutputTokens;
    public Double predictedCostUsd;
    public Long actualInputTokens;
    public Long actualOutputTokens;
    public Double actualCostUsd;
    public double chargedUsd;
    public Double priceInputPerMtok;
    public Double priceOutputPerMtok;
    public Double routerMs;
    public Double upstreamMs;
    public double totalMs;
    public int status;
    public String error;
    public int fallbacks;
    public String attemptsJson;
    /** Set by the path that relays an answer when it counted the tokens it delivered. */
    public Long deliveredOutputTokens;
    /** Set when an answer failed or ended early; a short label (see {@link LogEntry#failureReason}). */
    public String failureReason;
    /** True once the entry has been handed to the log, so it is not logged twice. */
    public boolean logged;

    public LogEntry build() {
      return new LogEntry(
          requestId, createdAt, day, keyId, endpoint, requestedModel, policy, mu, promptSha256, prompt, stream,
          decisionJson, chosenModel, answeredModel, completionId, inputTokens, predictedQuality,
          predictedOutputTokens, predictedCostUsd, actualInputTokens, actualOutputTokens, actualCostUsd,
          chargedUsd, priceInputPerMtok, priceOutputPerMtok, routerMs, upstreamMs, totalMs, status, error,
          fallbacks, attemptsJson, deliveredOutputTokens, failureReason);
    }
  }
}
