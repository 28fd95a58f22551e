package io.carrot.embed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carrot.core.CarrotException;
import io.carrot.core.embed.Embedder;
import io.carrot.core.linalg.VectorMath;
import io.carrot.core.retry.ErrorBodies;
import io.carrot.core.retry.RetryPolicy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeddings from an OpenAI-compatible {@code /v1/embeddings} endpoint (OpenAI itself, vLLM,
 * llama.cpp, Ollama, LM Studio, ...).
 *
 * <p>Inputs go out in batches of at most {@link Builder#batchSize(int)}; retryable statuses and I/O
 * failures are retried by the project's one rule ({@link RetryPolicy}: exponential backoff with
 * jitter, honouring {@code Retry-After}); the returned
 * vectors are L2-normalized because not every server does it. Empty strings are not sent (OpenAI
 * rejects them) and get an all-zero row, as the {@link Embedder} contract allows.
 *
 * <p>Thread-safe.
 */
public final class OpenAiEmbedder implements Embedder {

  /** Where requests go unless a base URL is given. */
  public static final String DEFAULT_BASE_URL = "https://api.openai.com";
  /** The environment variable the API key is read from by default. */
  public static final String DEFAULT_API_KEY_ENV = "OPENAI_API_KEY";
  /** Largest batch sent in one request; OpenAI accepts up to 2048 inputs but 256 keeps bodies small. */
  public static final int MAX_BATCH = 256;

  private static final Logger LOG = LoggerFactory.getLogger(OpenAiEmbedder.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ERROR_BODY_CHARS = 500;

  private final String model;
  private final URI endpoint;
  private final String id;
  private final String apiKey;
  private final int batchSize;
  private final RetryPolicy retry;
  private final Duration requestTimeout;
  private final HttpClient http;
  private final boolean ownsHttp;
  private final AtomicInteger dimension;

  private OpenAiEmbedder(Builder b) {
    this.model = b.model;
    String base = b.baseUrl.strip();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    URI uri;
    try {
      uri = URI.create(base.endsWith("/v1") ? base + "/embeddings" : base + "/v1/embeddings");
    } catch (IllegalArgumentException e) {
      throw new CarrotException(
          "baseUrl: '" + b.baseUrl + "' is not a valid URL; expected e.g. http://localhost:8080", e);
    }
    if (uri.getScheme() == null || uri.getHost() == null
        || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
      throw new CarrotException(
          "baseUrl: '" + b.baseUrl + "'; expected an http(s) URL such as https://api.openai.com");
    }
    this.endpoint = uri;
    String defaultHost = URI.create(DEFAULT_BASE_URL).getHost();
    boolean isDefault = uri.getScheme().equals("https") && uri.getHost().equals(defaultHost)
        && uri.getPort() == -1;
    // The server is part of the id because two servers may serve different weights under one name.
    this.id = "openai/" + model + (isDefault ? "" : "@" + uri.getAuthority());
    if (b.apiKey != null) {
      this.apiKey = b.apiKey;
    } else if (b.apiKeyEnv != null) {
      String v = System.getenv(b.apiKeyEnv);
      this.apiKey = v == null || v.isBlank() ? null : v.strip();
      if (apiKey == null) {
        LOG.debug("{} is not set; calling {} without Authorization", b.apiKeyEnv, endpoint);
      }
    } else {
      this.apiKey = null;
    }
    this.batchSize = b.batchSize;
    this.retry = new RetryPolicy(b.maxAttempts, b.initialBackoff, b.maxBackoff);
    this.requestTimeout = b.requestTimeout;
    this.ownsHttp = b.http == null;
    this.http =
        b.http != null
            ? b.http
            : HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    this.dimension = new AtomicInteger(b.dimension);
  }

  /** Embedder for {@code model} at {@code baseUrl}, with the API key read from env {@code apiKeyEnv}. */
  public OpenAiEmbedder(String baseUrl, String model, String apiKeyEnv) {
    this(builder(model).baseUrl(baseUrl).apiKeyEnv(apiKeyEnv));
  }

  /** A builder for embeddings of {@code model}. */
  public static Builder builder(String model) {
    return new Builder(model);
  }

  /** Options; only the model is required. */
  public static final class Builder {
    private final String model;
    private String baseUrl = DEFAULT_BASE_URL;
    private String apiKeyEnv = DEFAULT_API_KEY_ENV;
    private String apiKey;
    private int dimension;
    private int batchSize = MAX_BATCH;
    private int maxAttempts = 4;
    private Duration initialBackoff = Duration.ofMillis(500);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private Duration requestTimeout = Duration.ofSeconds(60);
    private HttpClient http;

    private Builder(String model) {
      if (model == null || model.isBlank()) {
        throw new CarrotException("model: '" + model + "'; expected a model name such as text-embedding-3-small");
      }
      this.model = model.strip();
    }

    /** Server root, with or without a trailing {@code /v1}; default {@value #DEFAULT_BASE_URL}. */
    public Builder baseUrl(String baseUrl) {
      this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
      return this;
    }

    /** Environment variable holding the bearer token; null or unset means no Authorization header. */
    public Builder apiKeyEnv(String name) {
      this.apiKeyEnv = name;
      return this;
    }

    /** The bearer token itself, overriding {@link #apiKeyEnv(String)}. */
    public Builder apiKey(String key) {
      this.apiKey = key;
      return this;
    }

    /** Expected vector length; 0 (default) means learn it from the first response. */
    public Builder dimension(int dimension) {
      if (dimension < 0) {
        throw new CarrotException("dimension: " + dimension + "; expected 0 (discover) or positive");
      }
      this.dimension = dimension;
      return this;
    }

    /** Texts per request. */
    public Builder batchSize(int batchSize) {
      if (batchSize < 1 || batchSize > MAX_BATCH) {
        throw new CarrotException("batchSize: " + batchSize + "; expected 1.." + MAX_BATCH);
      }
      this.batchSize = batchSize;
      return this;
    }

    /** Tries per request including the first; default 4. */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1 || maxAttempts > 10) {
        throw new CarrotException("maxAttempts: " + maxAttempts + "; expected 1..10");
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** Wait before the first retry, doubled for each further one; default 500 ms. */
    public Builder initialBackoff(Duration backoff) {
      if (backoff.isNegative()) {
        throw new CarrotException("initialBackoff: " + backoff + "; expected zero or positive");
      }
      this.initialBackoff = backoff;
      return this;
    }

    /** Upper bound on one wait, Retry-After included; default 30 s. */
    public Builder maxBackoff(Duration backoff) {
      if (backoff.isNegative()) {
        throw new CarrotException("maxBackoff: " + backoff + "; expected zero or positive");
      }
      this.maxBackoff = backoff;
      return this;
    }

    /** Time-out of one request. */
    public Builder requestTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new CarrotException("requestTimeout: " + timeout + "; expected positive");
      }
      this.requestTimeout = timeout;
      return this;
    }

    /** A caller-owned client (not closed by {@link OpenAiEmbedder#close()}). */
    public Builder httpClient(HttpClient http) {
      this.http = http;
      return this;
    }

    /** Builds the embedder. */
    public OpenAiEmbedder build() {
      return new OpenAiEmbedder(this);
    }
  }

  /** {@code openai/<model>} for api.openai.com, else {@code openai/<model>@<host:port>}. */
  @Override
  public String id() {
    return id;
  }

  /** The configured or learned dimension; when neither, one probe request learns it. */
  @Override
  public int dimension() {
    int d = dimension.get();
    if (d == 0) {
      LOG.debug("Probing {} for the dimension of {}", endpoint, model);
      request(List.of("dimension probe"));
      d = dimension.get();
    }
    return d;
  }

  /** The embeddings endpoint requests go to. */
  public URI endpoint() {
    return endpoint;
  }

  @Override
  public float[][] embed(List<String> texts) {
    Objects.requireNonNull(texts, "texts");
    float[][] out = new float[texts.size()][];
    List<Integer> pending = new ArrayList<>(Math.min(texts.size(), batchSize));
    List<String> batch = new ArrayList<>(Math.min(texts.size(), batchSize));
    for (int i = 0; i < texts.size(); i++) {
      String t = Texts.at(texts, i);
      if (t.isEmpty()) {
        continue;
      }
      pending.add(i);
      batch.add(t);
      if (batch.size() == batchSize) {
        fill(out, pending, request(batch));
        pending.clear();
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      fill(out, pending, request(batch));
    }
    for (int i = 0; i < out.length; i++) {
      if (out[i] == null) {
        out[i] = new float[dimension()];
      }
    }
    return out;
  }

  private static void fill(float[][] out, List<Integer> positions, float[][] vectors) {
    for (int k = 0; k < positions.size(); k++) {
      out[positions.get(k)] = vectors[k];
    }
  }

  private float[][] request(List<String> batch) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", model);
    body.put("input", batch);
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new CarrotException("encoding embeddings request for " + endpoint + ": " + e.getMessage(), e);
    }
    HttpRequest.Builder rb = HttpRequest.newBuilder(endpoint)
        .timeout(requestTimeout)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(json));
    if (apiKey != null) {
      rb.header("Authorization", "Bearer " + apiKey);
    }
    HttpRequest req = rb.build();

    for (int attempt = 1; ; attempt++) {
      HttpResponse<String> resp;
      try {
        resp = http.send(req, HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        String what = "POST " + endpoint + " failed: " + e;
        if (!retry.mayRetry(attempt)) {
          throw new CarrotException(what + " (after " + attempt + " attempts)", e, true);
        }
        LOG.warn("{}; retry {} of {}", what, attempt, retry.maxAttempts() - 1);
        RetryPolicy.backOff(retry.delay(attempt, Optional.empty()));
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CarrotException("POST " + endpoint + ": interrupted", e, true);
      }
      int status = resp.statusCode();
      if (status >= 200 && status < 300) {
        return parse(resp.body(), batch.size());
      }
      String what = "POST " + endpoint + ": HTTP " + status + ": " + ErrorBodies.message(resp.body(), ERROR_BODY_CHARS);
      if (RetryPolicy.retryable(status)) {
        if (!retry.mayRetry(attempt)) {
          throw new CarrotException(what + " (after " + attempt + " attempts)", null, true);
        }
        LOG.warn("{}; retry {} of {}", what, attempt, retry.maxAttempts() - 1);
        RetryPolicy.backOff(retry.delay(attempt, RetryPolicy.retryAfter(resp.headers(), Instant.now())));
        continue;
      }
      throw new CarrotException(what, null, false);
    }
  }

  private float[][] parse(String body, int expected) {
    JsonNode data;
    try {
      data = JSON.readTree(body).path("data");
    } catch (IOException e) {
      throw new CarrotException(
          "POST " + endpoint + ": response is not JSON (" + e.getMessage()
              + "); expected {\"data\":[{\"embedding\":[...]}]}", e);
    }
    if (!data.isArray() || data.size() != expected) {
      throw new CarrotException(
          "POST " + endpoint + ": response has " + (data.isArray() ? data.size() + " embeddings" : "no data array")
              + "; expected " + expected);
    }
    float[][] out = new float[expected][];
    for (int k = 0; k < expected; k++) {
      JsonNode item = data.get(k);
      int index = item.path("index").asInt(k);
      JsonNode emb = item.path("embedding");
      if (index < 0 || index >= expected || out[index] != null || !emb.isArray() || emb.isEmpty()) {
        throw new CarrotException(
            "POST " + endpoint + ": data[" + k + "] has index " + index + " and "
                + (emb.isArray() ? emb.size() + " numbers" : "no embedding array")
                + "; expected distinct indexes 0.." + (expected - 1) + " with float arrays");
      }
      int dim = emb.size();
      if (!dimension.compareAndSet(0, dim) && dimension.get() != dim) {
        throw new CarrotException(
            "POST " + endpoint + ": embedding of length " + dim + "; expected " + dimension.get()
                + " for model " + model);
      }
      double[] v = new double[dim];
      for (int d = 0; d < dim; d++) {
        v[d] = emb.get(d).asDouble();
      }
      out[index] = VectorMath.normalized(v);
    }
    return out;
  }

  @Override
  public void close() {
    if (ownsHttp) {
      http.close();
    }
  }

  @Override
  public String toString() {
    return "OpenAiEmbedder[" + id + " via " + endpoint + "]";
  }
}
