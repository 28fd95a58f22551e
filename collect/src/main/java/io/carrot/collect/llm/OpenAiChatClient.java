package io.carrot.collect.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.CarrotException;
import io.carrot.core.files.Json;
import io.carrot.core.retry.ErrorBodies;
import io.carrot.core.retry.RetryPolicy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chat completions from an OpenAI-compatible {@code /v1/chat/completions} endpoint (OpenAI, vLLM,
 * llama.cpp, Ollama, OpenRouter, Together, ...).
 *
 * <p>At most {@link LlmServer#concurrency()} calls are in flight and request starts are spaced by
 * {@link LlmServer#requestsPerMinute()}. Retryable statuses and I/O failures are retried by the
 * project's one rule ({@link RetryPolicy}: exponential backoff with jitter, honouring
 * {@code Retry-After}) up to {@link LlmServer#maxAttempts()}; other answers fail at once as not
 * retryable, since repeating them cannot help.
 */
public final class OpenAiChatClient implements ChatClient {
  private static final Logger LOG = LoggerFactory.getLogger(OpenAiChatClient.class);
  private static final int ERROR_BODY_CHARS = 300;

  private final LlmServer upstream;
  private final URI endpoint;
  private final String apiKey;
  private final HttpClient http;
  private final Semaphore inFlight;
  private final RateLimiter limiter;
  private final RetryPolicy retry;

  public OpenAiChatClient(LlmServer upstream) {
    this.upstream = upstream;
    this.endpoint = upstream.chatEndpoint();
    String key = upstream.apiKeyEnv() == null ? null : System.getenv(upstream.apiKeyEnv());
    this.apiKey = key == null || key.isBlank() ? null : key.strip();
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(20))
        .build();
    this.inFlight = new Semaphore(upstream.concurrency(), true);
    this.limiter = upstream.requestsPerMinute() > 0 ? new RateLimiter(upstream.requestsPerMinute()) : null;
    this.retry = new RetryPolicy(upstream.maxAttempts(), upstream.initialBackoff(), upstream.maxBackoff());
  }

  public LlmServer upstream() {
    return upstream;
  }

  @Override
  public ChatResult complete(LlmRequest request) {
    byte[] body = body(request);
    try {
      inFlight.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CarrotException(upstream.name() + ": interrupted while waiting for a free slot", e, true);
    }
    try {
      return send(request, body);
    } finally {
      inFlight.release();
    }
  }

  private byte[] body(LlmRequest r) {
    ObjectNode o = Json.COMPACT.createObjectNode();
    o.put("model", r.model());
    ArrayNode messages = o.putArray("messages");
    if (!r.system().isEmpty()) {
      messages.addObject().put("role", "system").put("content", r.system());
    }
    messages.addObject().put("role", "user").put("content", r.prompt());
    o.put("max_tokens", r.maxTokens());
    o.put("temperature", r.temperature());
    o.put("stream", false);
    try {
      return Json.COMPACT.writeValueAsBytes(o);
    } catch (IOException e) {
      throw new CarrotException("cannot encode a chat request: " + e.getMessage(), e);
    }
  }

  private ChatResult send(LlmRequest request, byte[] body) {
    HttpRequest.Builder rb = HttpRequest.newBuilder(endpoint)
        .timeout(upstream.requestTimeout())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (apiKey != null) {
      rb.header("Authorization", "Bearer " + apiKey);
    }
    HttpRequest req = rb.build();
    String what = upstream.name() + " " + request.model();
    for (int attempt = 1; ; attempt++) {
      if (limiter != null) {
        limiter.acquire();
      }
      long start = System.nanoTime();
      HttpResponse<String> resp;
      try {
        resp = http.send(req, HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        String msg = what + ": POST " + endpoint + " failed: " + e;
        if (!retry.mayRetry(attempt)) {
          throw new ChatException(msg + " (after " + attempt + " attempts)", e, true, 0);
        }
        LOG.debug("{}; retry {} of {}", msg, attempt, upstream.maxAttempts() - 1);
        RetryPolicy.backOff(retry.delay(attempt, Optional.empty()));
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CarrotException(what + ": interrupted", e, true);
      }
      long millis = (System.nanoTime() - start) / 1_000_000;
      int status = resp.statusCode();
      if (status >= 200 && status < 300) {
        return parse(resp.body(), what, millis, attempt);
      }
      String msg = what + ": HTTP " + status + ": " + ErrorBodies.message(resp.body(), ERROR_BODY_CHARS);
      if (!RetryPolicy.retryable(status)) {
        throw new ChatException(msg, null, false, status);
      }
      if (!retry.mayRetry(attempt)) {
        throw new ChatException(msg + " (after " + attempt + " attempts)", null, true, status);
      }
      LOG.debug("{}; retry {} of {}", msg, attempt, upstream.maxAttempts() - 1);
      RetryPolicy.backOff(retry.delay(attempt, RetryPolicy.retryAfter(resp.headers(), Instant.now())));
    }
  }

  private ChatResult parse(String body, String what, long millis, int attempts) {
    JsonNode root;
    try {
      root = Json.COMPACT.readTree(body);
    } catch (IOException e) {
      throw new ChatException(what + ": the response is not JSON (" + e.getMessage() + ")", e, true, 200);
    }
    JsonNode choice = root.path("choices").path(0);
    JsonNode usage = root.path("usage");
    if (choice.isMissingNode() || !usage.path("prompt_tokens").canConvertToLong()
        || !usage.path("completion_tokens").canConvertToLong()) {
      throw new ChatException(
          what + ": the response lacks choices[0] or usage.prompt_tokens/completion_tokens; expected an OpenAI chat completion: "
              + ErrorBodies.abbreviate(body, ERROR_BODY_CHARS), null, false, 200);
    }
    JsonNode content = choice.path("message").path("content");
    String text = content.isTextual() ? content.asText() : "";
    return new ChatResult(text, usage.path("prompt_tokens").asLong(), usage.path("completion_tokens").asLong(),
        millis, attempts, choice.path("finish_reason").asText(""));
  }

  @Override
  public void close() {
    http.close();
  }

  @Override
  public String toString() {
    return "OpenAiChatClient[" + upstream.name() + " via " + endpoint + "]";
  }
}
