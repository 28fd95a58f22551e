package io.carrot.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.carrot.core.CarrotException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runs against a real HTTP server on a loopback ephemeral port that scripts its answers. */
class OpenAiEmbedderTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the stub saw for one request. */
  record Seen(String path, String authorization, JsonNode body) {}

  private HttpServer server;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  /** Status codes to answer with, in order; 200 once exhausted. */
  private final Queue<Integer> script = new ConcurrentLinkedQueue<>();
  private String base;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  /**
   * Answers each input {@code s} with the vector (len(s), 2, 0, 1), listing the results in reverse
   * order with their indexes, as servers may.
   */
  private void handle(HttpExchange ex) throws IOException {
    JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
    seen.add(new Seen(ex.getRequestURI().getPath(), ex.getRequestHeaders().getFirst("Authorization"), body));
    Integer status = script.poll();
    int code = status == null ? 200 : status;
    String response;
    if (code == 200) {
      ObjectNode root = JSON.createObjectNode();
      ArrayNode data = root.putArray("data");
      JsonNode input = body.get("input");
      for (int i = input.size() - 1; i >= 0; i--) {
        ObjectNode item = data.addObject();
        item.put("object", "embedding");
        item.put("index", i);
        item.putArray("embedding").add(input.get(i).asText().length()).add(2.0).add(0.0).add(1.0);
      }
      root.put("model", body.get("model").asText());
      response = JSON.writeValueAsString(root);
    } else if (code == 429) {
      ex.getResponseHeaders().add("Retry-After", "0");
      response = "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"rate_limit\"}}";
    } else {
      response = "{\"error\":{\"message\":\"bad things (status " + code + ")\"}}";
    }
    byte[] bytes = response.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private OpenAiEmbedder.Builder builder() {
    return OpenAiEmbedder.builder("test-embed")
        .baseUrl(base)
        .apiKeyEnv(null)
        .initialBackoff(Duration.ofMillis(5))
        .maxBackoff(Duration.ofMillis(50));
  }

  @Test
  void embedsNormalizesAndKeepsOrder() {
    try (OpenAiEmbedder e = builder().apiKey("sk-test").build()) {
      float[][] v = e.embed(List.of("abc", "hello"));
      // (3,2,0,1)/sqrt(14) and (5,2,0,1)/sqrt(30)
      assertThat(v[0][0]).isCloseTo((float) (3 / Math.sqrt(14)), within(1e-6f));
      assertThat(v[0][1]).isCloseTo((float) (2 / Math.sqrt(14)), within(1e-6f));
      assertThat(v[1][0]).isCloseTo((float) (5 / Math.sqrt(30)), within(1e-6f));
      assertThat(v[1][3]).isCloseTo((float) (1 / Math.sqrt(30)), within(1e-6f));
      assertThat(e.dimension()).isEqualTo(4);
      assertThat(e.id()).isEqualTo("openai/test-embed@127.0.0.1:" + server.getAddress().getPort());
    }
    assertThat(seen).singleElement().satisfies(s -> {
      assertThat(s.path()).isEqualTo("/v1/embeddings");
      assertThat(s.authorization()).isEqualTo("Bearer sk-test");
      assertThat(s.body().get("model").asText()).isEqualTo("test-embed");
      assertThat(s.body().get("input")).hasSize(2);
      assertThat(s.body().get("input").get(1).asText()).isEqualTo("hello");
    });
  }

  @Test
  void baseUrlWithV1AndMissingKeyEnv() {
    try (OpenAiEmbedder e = builder()
        .baseUrl(base + "/v1/")
        .apiKeyEnv("CARROT_TEST_SURELY_UNSET_VARIABLE_7f3a")
        .build()) {
      e.embed(List.of("x"));
    }
    assertThat(seen).singleElement().satisfies(s -> {
      assertThat(s.path()).isEqualTo("/v1/embeddings");
      assertThat(s.authorization()).isNull();
    });
  }

  @Test
  void splitsIntoBatchesAndSkipsEmptyStrings() {
    try (OpenAiEmbedder e = builder().batchSize(2).build()) {
      float[][] v = e.embed(List.of("a", "bb", "", "ccc", "dddd", "eeeee"));
      assertThat(v).hasNumberOfRows(6);
      assertThat(v[2]).containsOnly(0f).hasSize(4);
      assertThat(v[5][0]).isCloseTo((float) (5 / Math.sqrt(30)), within(1e-6f));
    }
    assertThat(seen).hasSize(3);
    assertThat(seen).allSatisfy(s -> assertThat(s.body().get("input").size()).isLessThanOrEqualTo(2));
    assertThat(seen.get(1).body().get("input").get(0).asText()).isEqualTo("ccc");
  }

  @Test
  void retriesRateLimitThenSucceeds() {
    script.add(429);
    try (OpenAiEmbedder e = builder().build()) {
      float[] v = e.embed("hello");
      assertThat(v[0]).isCloseTo((float) (5 / Math.sqrt(30)), within(1e-6f));
    }
    assertThat(seen).hasSize(2);
  }

  @Test
  void clientErrorFailsAtOnceNamingUrlAndStatus() {
    script.add(400);
    try (OpenAiEmbedder e = builder().build()) {
      assertThatThrownBy(() -> e.embed("hello"))
          .isInstanceOf(CarrotException.class)
          .hasMessageContaining(base + "/v1/embeddings")
          .hasMessageContaining("HTTP 400")
          .hasMessageContaining("bad things")
          .satisfies(t -> assertThat(((CarrotException) t).retryable()).isFalse());
    }
    assertThat(seen).hasSize(1);
  }

  @Test
  void serverErrorsAreRetriedAFixedNumberOfTimes() {
    for (int i = 0; i < 5; i++) {
      script.add(503);
    }
    try (OpenAiEmbedder e = builder().maxAttempts(3).build()) {
      assertThatThrownBy(() -> e.embed("hello"))
          .isInstanceOf(CarrotException.class)
          .hasMessageContaining("HTTP 503")
          .hasMessageContaining("after 3 attempts")
          .satisfies(t -> assertThat(((CarrotException) t).retryable()).isTrue());
    }
    assertThat(seen).hasSize(3);
  }

  @Test
  void givenDimensionIsChecked() {
    try (OpenAiEmbedder e = builder().dimension(8).build()) {
      assertThat(e.dimension()).isEqualTo(8);
      assertThatThrownBy(() -> e.embed("hello"))
          .isInstanceOf(CarrotException.class)
          .hasMessageContaining("length 4")
          .hasMessageContaining("expected 8");
    }
  }

  @Test
  void unreachableServerIsRetryable() {
    server.stop(0);
    try (OpenAiEmbedder e = builder().maxAttempts(2).build()) {
      assertThatThrownBy(() -> e.embed("hello"))
          .isInstanceOf(CarrotException.class)
          .hasMessageContaining(base)
          .satisfies(t -> assertThat(((CarrotException) t).retryable()).isTrue());
    }
  }
}
