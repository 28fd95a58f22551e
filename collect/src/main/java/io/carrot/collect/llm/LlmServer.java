package io.carrot.collect.llm;

import io.carrot.core.CarrotException;
import java.net.URI;
import java.time.Duration;

/**
 * One OpenAI-compatible server and how hard this process may use it.
 *
 * @param name the name models.yaml gives it
 * @param baseUrl server root, with or without a trailing {@code /v1}
 * @param apiKeyEnv environment variable holding the bearer token; null or unset: no Authorization
 * @param concurrency calls in flight at most
 * @param requestsPerMinute request starts per minute at most; 0 for no limit
 * @param maxAttempts tries per call, the first included, on 429, 5xx and I/O errors
 * @param initialBackoff wait before the first retry, doubled for each further one (plus jitter)
 * @param maxBackoff upper bound on one wait, {@code Retry-After} included
 * @param requestTimeout time-out of one HTTP request
 */
public record LlmServer(
    String name,
    String baseUrl,
    String apiKeyEnv,
    int concurrency,
    double requestsPerMinute,
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration requestTimeout) {

  public static final int DEFAULT_CONCURRENCY = 4;
  public static final int DEFAULT_MAX_ATTEMPTS = 6;

  public LlmServer {
    String where = "upstream '" + name + "'";
    if (name == null || name.isBlank()) {
      throw new CarrotException("upstream name must be non-empty");
    }
    if (baseUrl == null || baseUrl.isBlank()) {
      throw new CarrotException(where + ": base_url is missing; expected e.g. https://api.openai.com");
    }
    URI uri;
    try {
      uri = URI.create(baseUrl.strip());
    } catch (IllegalArgumentException e) {
      throw new CarrotException(where + ": base_url '" + baseUrl + "' is not a URL; expected e.g. http://localhost:8000", e);
    }
    if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
      throw new CarrotException(where + ": base_url '" + baseUrl + "'; expected an http(s) URL such as https://api.openai.com");
    }
    if (concurrency < 1 || concurrency > 1024) {
      throw new CarrotException(where + ": concurrency must be in 1..1024, got " + concurrency);
    }
    if (!(requestsPerMinute >= 0) || Double.isInfinite(requestsPerMinute)) {
      throw new CarrotException(where + ": requests_per_minute must be >= 0 (0 = no limit), got " + requestsPerMinute);
    }
    if (maxAttempts < 1 || maxAttempts > 20) {
      throw new CarrotException(where + ": max_attempts must be in 1..20, got " + maxAttempts);
    }
    if (initialBackoff.isNegative() || maxBackoff.isNegative() || requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new CarrotException(where + ": back-off waits must be >= 0 and the request time-out > 0");
    }
  }

  /** Defaults: 6 attempts, 1 s first back-off up to 60 s, 10 min request time-out. */
  public static LlmServer of(String name, String baseUrl, String apiKeyEnv, int concurrency, double requestsPerMinute) {
    return new LlmServer(name, baseUrl, apiKeyEnv, concurrency, requestsPerMinute,
        DEFAULT_MAX_ATTEMPTS, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofMinutes(10));
  }

  public LlmServer withBackoff(int attempts, Duration initial, Duration max) {
    return new LlmServer(name, baseUrl, apiKeyEnv, concurrency, requestsPerMinute, attempts, initial, max, requestTimeout);
  }

  /** The chat completions endpoint. */
  public URI chatEndpoint() {
    String base = baseUrl.strip();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return URI.create(base.endsWith("/v1") ? base + "/chat/completions" : base + "/v1/chat/completions");
  }
}
