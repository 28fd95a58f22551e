package io.carrot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/responses} (routed on its input like a chat completion, streamed or not) and
 * {@code POST /v1/embeddings} (passed through by name), on sockets against {@link FaultyUpstream}.
 * Only mid (of the router's models) and solo serve the Responses API; emb serves embeddings.
 */
class ApiSurfaceTest {
  @TempDir Path dir;
  FaultyUpstream up;
  Harness h;

  @BeforeEach
  void start() throws Exception {
    up = new FaultyUpstream();
    h = Harness.start(dir, "", TestRouters.tiny(), y -> y
        .replaceAll("http://127\\.0\\.0\\.1:\\d+/[a-z]+/v1", up.baseUrl() + "/v1")
        .replace("model: mid-v1}", "model: mid-v1, serves: [chat, responses]}")
        .replace("upstreams:\n", "upstreams:\n  emb: {base_url: \"" + up.baseUrl() + "/v1\", model: emb-v1, serves: [embeddings], "
            + "price: {input_per_mtok: 0.02, output_per_mtok: 0}}\n"));
  }

  @AfterEach
  void stop() throws Exception {
    h.close();
    up.close();
  }

  @Test
  void responsesAreRoutedAmongTheUpstreamsThatServeThem() throws Exception {
    // at mu = 0 strong is first, but it does not serve the Responses API
    HttpResponse<String> r = h.post("/v1/responses", "{\"model\": \"carrot:mu=0\", \"input\": \"What is 2 + 2?\"}", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-carrot-model")).hasValue("mid");
    JsonNode b = StubUpstream.parse(r.body());
    assertThat(b.path("output").get(0).path("content").get(0).path("text").asText()).isEqualTo("answer from mid-v1");
    assertThat(up.received).hasSize(1);
    assertThat(up.received.get(0).path()).isEqualTo("/v1/responses");
    assertThat(up.received.get(0).body().path("input").asText()).isEqualTo("What is 2 + 2?");
    assertThat(up.received.get(0).body().has("stream_options")).isFalse();
    LogRows.Row row = LogRows.all(h.server.log()).get(0);
    assertThat(row.endpoint()).isEqualTo("responses");
    assertThat(row.completionId()).isEqualTo("resp_1");
    assertThat(row.actualInputTokens()).isEqualTo(9);
    // mid costs 2 / 8 USD per million tokens
    assertThat(row.chargedUsd()).isCloseTo((9 * 2 + 4 * 8) / 1e6, within(1e-15));
    assertThat(row.promptSha256()).isEqualTo(Routing.sha256("What is 2 + 2?"));
  }

  @Test
  void responsesRouteOnTheLastUserItemAndStreamThrough() throws Exception {
    String body = "{\"model\": \"carrot:mu=0\", \"stream\": true, \"instructions\": \"Be brief.\", \"input\": ["
        + "{\"role\": \"user\", \"content\": \"first question\"}, {\"role\": \"assistant\", \"content\": \"first answer\"},"
        + "{\"role\": \"user\", \"content\": [{\"type\": \"input_text\", \"text\": \"Name a prime.\"}]}]}";
    HttpResponse<String> r = h.post("/v1/responses", body, null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("text/event-stream");
    assertThat(r.body()).startsWith("event: response.created\n").contains("\"delta\":\"answer \"")
        .endsWith("\"total_tokens\":13}}}\n\n");
    LogRows.Row row = LogRows.all(h.server.log()).get(0);
    assertThat(row.status()).isEqualTo(200);
    assertThat(row.stream()).isTrue();
    assertThat(row.promptSha256()).isEqualTo(Routing.sha256("Name a prime."));
    assertThat(row.chargedUsd()).isCloseTo((9 * 2 + 4 * 8) / 1e6, within(1e-15));
  }

  @Test
  void responsesMistakesAre400() throws Exception {
    assertThat(error(h.post("/v1/responses", "{\"model\": \"carrot\"}", null), 400).path("param").asText()).isEqualTo("input");
    assertThat(error(h.post("/v1/responses", "{\"model\": \"carrot\", \"input\": 5}", null), 400).path("message").asText())
        .isEqualTo("'input' must be a string or a non-empty list of input items, got number");
    assertThat(error(h.post("/v1/responses", "{\"model\": \"strong\", \"input\": \"hi\"}", null), 400).path("message").asText())
        .startsWith("upstream 'strong' does not serve the responses API");
    assertThat(up.received).isEmpty();
  }

  @Test
  void embeddingsPassThroughByName() throws Exception {
    HttpResponse<String> r = h.post("/v1/embeddings", "{\"model\": \"emb\", \"input\": [\"a carrot\", \"a stick\"]}", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(StubUpstream.parse(r.body()).path("data").get(0).path("embedding").toString()).isEqualTo("[0.6,0.8]");
    assertThat(up.received.get(0).path()).isEqualTo("/v1/embeddings");
    assertThat(up.received.get(0).model()).isEqualTo("emb-v1");
    LogRows.Row row = LogRows.all(h.server.log()).get(0);
    assertThat(row.endpoint()).isEqualTo("embeddings");
    assertThat(row.chargedUsd()).isCloseTo(5 * 0.02 / 1e6, within(1e-18));

    assertThat(error(h.post("/v1/embeddings", "{\"model\": \"carrot\", \"input\": \"x\"}", null), 400).path("message").asText())
        .isEqualTo("embeddings are not routed: name an upstream that serves embeddings, one of [emb]");
    assertThat(error(h.post("/v1/embeddings", "{\"model\": \"emb\", \"input\": {}}", null), 400).path("param").asText())
        .isEqualTo("input");
    assertThat(up.received).hasSize(1);
  }

  @Test
  void anEmbeddingsUpstreamAnsweringWithoutUsageIsStillAnAnswer() throws Exception {
    up.script("emb-v1", ex -> ex.json(200, "{\"object\":\"list\",\"data\":[],\"usage\":{\"prompt_tokens\":-3}}"));
    HttpResponse<String> r = h.post("/v1/embeddings", "{\"model\": \"emb\", \"input\": \"x\"}", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(LogRows.all(h.server.log()).get(0).actualInputTokens()).isNull();
  }

  private static JsonNode error(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonNode e = StubUpstream.parse(r.body()).path("error");
    assertThat(e.has("message") && e.has("type") && e.has("param") && e.has("code")).as(r.body()).isTrue();
    return e;
  }
}
