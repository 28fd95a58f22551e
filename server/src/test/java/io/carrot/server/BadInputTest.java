package io.carrot.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every client mistake gets an OpenAI-shaped 4xx naming what was wrong, never a 500, and nothing reaches an upstream. */
class BadInputTest {
  @TempDir static Path dir;
  static Harness h;

  @BeforeAll
  static void start() throws Exception {
    h = Harness.start(dir, "max_body_bytes: 2048\n");
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  /** Posts and checks the status and the OpenAI error shape; returns the error object. */
  static JsonNode expect(int status, String path, String body) throws Exception {
    HttpResponse<String> r = h.post(path, body, null);
    assertThat(r.statusCode()).as(body).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("application/json");
    JsonNode e = StubUpstream.parse(r.body()).path("error");
    assertThat(e.has("message") && e.has("type") && e.has("param") && e.has("code")).as(r.body()).isTrue();
    return e;
  }

  static JsonNode chat(int status, String body) throws Exception {
    return expect(status, "/v1/chat/completions", body);
  }

  @Test
  void malformedBodies() throws Exception {
    assertThat(chat(400, "{\"model\": \"carrot\", ").path("message").asText()).startsWith("malformed JSON body: ");
    assertThat(chat(400, "[1, 2]").path("message").asText()).isEqualTo("the request body must be a JSON object, got array");
    // a JSON escape of a lone surrogate: valid JSON, but no UTF-8 writer can pass it on
    assertThat(chat(400, "{\"model\": \"carrot\", \"messages\": [{\"role\": \"user\", \"content\": \"a\\ud800b\"}]}")
        .path("param").asText()).isEqualTo("messages[0].content");
    assertThat(chat(400, "").path("message").asText()).isEqualTo("the request body is empty; expected a JSON object");
    assertThat(chat(400, "{\"model\": \"carrot\", \"messages\": [], \"stream\": \"yes\"}").path("param").asText()).isEqualTo("stream");
    assertThat(chat(400, "{\"model\": \"carrot\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"stream\": \"yes\"}")
        .path("message").asText()).isEqualTo("'stream' must be true or false, got \"yes\"");
  }

  @Test
  void missingOrBadMessages() throws Exception {
    JsonNode e = chat(400, "{\"model\": \"carrot\"}");
    assertThat(e.path("param").asText()).isEqualTo("messages");
    assertThat(e.path("message").asText()).isEqualTo("'messages' is missing: send a non-empty list of {\"role\", \"content\"}");
    assertThat(chat(400, "{\"model\": \"carrot\", \"messages\": []}").path("message").asText())
        .isEqualTo("'messages' must be a non-empty list of {\"role\", \"content\"}, got array");
    assertThat(chat(400, "{\"model\": \"carrot\", \"messages\": [\"hi\"]}").path("message").asText())
        .isEqualTo("messages[0] must be an object, got string");
    assertThat(chat(400, "{\"model\": \"carrot\", \"messages\": [{\"content\": \"hi\"}]}").path("param").asText())
        .isEqualTo("messages[0].role");
    assertThat(chat(400, "{\"model\": \"carrot\", \"messages\": [{\"role\": \"user\", \"content\": 5}]}").path("message").asText())
        .isEqualTo("messages[0].content must be a string or a list of content parts, got number");
  }

  @Test
  void unknownOrBadModels() throws Exception {
    String msgs = ", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";
    JsonNode missing = chat(400, "{\"temperature\": 1" + msgs);
    assertThat(missing.path("param").asText()).isEqualTo("model");
    JsonNode unknown = chat(400, "{\"model\": \"gpt-17\"" + msgs);
    assertThat(unknown.path("code").asText()).isEqualTo("model_not_found");
    assertThat(unknown.path("message").asText()).startsWith("unknown model 'gpt-17'; use 'carrot'").endsWith("[strong, mid, cheap, solo]");
    assertThat(chat(400, "{\"model\": \"carrot:mu=1.5\"" + msgs).path("message").asText())
        .isEqualTo("model 'carrot:mu=1.5': mu must be in [0, 1], got 1.5");
    assertThat(chat(400, "{\"model\": \"carrot:mu=abc\"" + msgs).path("message").asText())
        .isEqualTo("model 'carrot:mu=abc': mu must be a number, got 'abc'");
    assertThat(chat(400, "{\"model\": \"carrot:temperature=1\"" + msgs).path("message").asText())
        .isEqualTo("model 'carrot:temperature=1': unknown knob 'temperature'; expected mu, budget, max-cost or min-quality");
    assertThat(chat(400, "{\"model\": \"carrot:budget=-1\"" + msgs).path("message").asText())
        .isEqualTo("model 'carrot:budget=-1': budget must be a number of USD per 1000 requests > 0, got -1");
    assertThat(chat(400, "{\"model\": \"carrot:max-cost=0\"" + msgs).path("message").asText())
        .isEqualTo("model 'carrot:max-cost=0': max-cost must be a number of USD per request > 0, got 0");
    // the tiny router has no budget curve
    JsonNode noCurve = chat(400, "{\"model\": \"carrot:budget=1.5\"" + msgs);
    assertThat(noCurve.path("param").asText()).isEqualTo("model");
    assertThat(noCurve.path("message").asText()).isEqualTo(
        "carrot:budget needs the spend curve that 'carrot train' stores in the router when the dataset has a validation split; "
            + "this router has none (use carrot:mu, carrot:max-cost or carrot:min-quality)");
    assertThat(expect(400, "/v1/route", "{\"prompt\": \"x\", \"model\": \"carrot:budget=1.5\"}").path("message").asText())
        .startsWith("carrot:budget needs the spend curve");
    assertThat(chat(400, "{\"model\": 7" + msgs).path("message").asText()).isEqualTo("'model' must be a string, got number");
    assertThat(h.stub.received).isEmpty();
  }

  @Test
  void bodiesOverTheLimitAre413() throws Exception {
    String big = Harness.chat("carrot", "x".repeat(3000), false);
    assertThat(chat(413, big).path("message").asText())
        .isEqualTo("the request body is larger than the limit of 2048 bytes (max_body_bytes)");
    // the same without a Content-Length (chunked)
    HttpRequest req = HttpRequest.newBuilder(URI.create(h.base() + "/v1/chat/completions"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
        .build();
    HttpResponse<String> r = h.http.send(req, HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(h.stub.received).isEmpty();
  }

  @Test
  void unknownPathsAre404() throws Exception {
    HttpResponse<String> r = h.get("/v1/engines", null);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(StubUpstream.parse(r.body()).path("error").path("code").asText()).isEqualTo("unknown_url");
    assertThat(expect(404, "/v2/chat", "{}").path("message").asText()).startsWith("no endpoint POST /v2/chat;");
  }

  @Test
  void badFeedbackAndRouteRequests() throws Exception {
    assertThat(expect(400, "/v1/feedback", "{\"request_id\": \"req_x\", \"score\": 1.5}").path("message").asText())
        .isEqualTo("'score' must be a number in [0, 1], got 1.5");
    assertThat(expect(400, "/v1/feedback", "{\"score\": 1}").path("param").asText()).isEqualTo("request_id");
    JsonNode nf = expect(404, "/v1/feedback", "{\"request_id\": \"req_nope\", \"score\": 1}");
    assertThat(nf.path("code").asText()).isEqualTo("request_not_found");
    assertThat(expect(400, "/v1/route", "{\"model\": \"carrot\"}").path("param").asText()).isEqualTo("prompt");
    assertThat(expect(400, "/v1/route", "{\"prompt\": \"x\", \"model\": \"solo\"}").path("message").asText())
        .startsWith("/v1/route decides between models");
  }

  @Test
  void noneOfItWasA500() throws Exception {
    malformedBodies();
    missingOrBadMessages();
    assertThat(h.server.metrics().render()).doesNotContain("internal_error").doesNotContain("status=\"500\"");
  }
}
