package io.carrot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.carrot.embed.Cl100kTokenCounter;
import io.carrot.server.StubUpstream.Behaviour;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The proxy on a real socket against a stub upstream: routing, streaming, fallbacks, passthrough. */
class ProxyTest {
  static final String PROMPT = "What is the capital of France?";
  static final double T = new Cl100kTokenCounter().count(PROMPT);

  @TempDir Path dir;
  Harness h;

  @BeforeEach
  void start() throws Exception {
    h = Harness.start(dir, "");
  }

  @AfterEach
  void stop() {
    h.close();
  }

  private HttpResponse<String> chat(String model) throws Exception {
    return h.post("/v1/chat/completions", Harness.chat(model, PROMPT, false), null);
  }

  private static double header(HttpResponse<?> r, String name) {
    return Double.parseDouble(r.headers().firstValue(name).orElseThrow());
  }

  @Test
  void routesByMu() throws Exception {
    // scores (1 - mu) q - mu * 100 * cost; at mu = 0.5: strong 0.4375 - 50 c_s, mid 0.375 - 50 c_m, cheap 0.25 - 50 c_c
    HttpResponse<String> r0 = chat("carrot:mu=0");
    assertThat(r0.statusCode()).isEqualTo(200);
    JsonNode b = StubUpstream.parse(r0.body());
    assertThat(b.path("model").asText()).isEqualTo("strong-v1");
    assertThat(b.path("choices").get(0).path("message").path("content").asText()).isEqualTo("answer from strong-v1");
    assertThat(r0.headers().firstValue("x-carrot-model")).hasValue("strong");
    assertThat(header(r0, "x-carrot-mu")).isEqualTo(0.0);
    assertThat(header(r0, "x-carrot-predicted-quality")).isEqualTo(0.875);
    assertThat(header(r0, "x-carrot-predicted-cost-usd")).isCloseTo((10 * T + 4000) / 1e6, within(1e-15));
    assertThat(r0.headers().firstValue("x-carrot-fallbacks")).hasValue("0");
    assertThat(r0.headers().firstValue("x-carrot-request-id").orElseThrow()).startsWith("req_");
    assertThat(r0.headers().firstValue("x-request-id")).hasValue("stub-1");

    assertThat(chat("carrot:mu=0.5").headers().firstValue("x-carrot-model")).hasValue("mid");
    assertThat(chat("carrot:mu=1").headers().firstValue("x-carrot-model")).hasValue("cheap");
    HttpResponse<String> dflt = chat("carrot");
    assertThat(dflt.headers().firstValue("x-carrot-model")).hasValue("strong");
    assertThat(header(dflt, "x-carrot-mu")).isEqualTo(0.2);
    assertThat(h.stub.models()).containsExactly("strong-v1", "mid-v1", "cheap-v1", "strong-v1");
    // the upstream's own key goes to the strong upstream only; the client's key never does
    assertThat(h.stub.received.get(0).authorization()).isEqualTo("Bearer sk-strong-secret");
    assertThat(h.stub.received.get(1).authorization()).isNull();
    // everything but the model goes upstream unchanged
    assertThat(h.stub.received.get(1).body().path("messages").get(0).path("content").asText()).isEqualTo(PROMPT);
  }

  @Test
  void breakEvenBetweenStrongAndMidIsWhereTheRuleSaysItIs() throws Exception {
    // strong = mid  <=>  0.125 (1 - mu) = mu * 100 (c_s - c_m)
    double cs = (10 * T + 4000) / 1e6;
    double cm = (2 * T + 800) / 1e6;
    double mu = 0.125 / (0.125 + 100 * (cs - cm));
    assertThat(chat("carrot:mu=" + (mu - 1e-6)).headers().firstValue("x-carrot-model")).hasValue("strong");
    assertThat(chat("carrot:mu=" + (mu + 1e-6)).headers().firstValue("x-carrot-model")).hasValue("mid");
  }

  @Test
  void streamsPassThroughUnchangedAndUsageIsCounted() throws Exception {
    HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("carrot:mu=0.5", PROMPT, true), null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("text/event-stream");
    assertThat(r.headers().firstValue("x-carrot-model")).hasValue("mid");
    // carrot asked the upstream for usage, and removed the usage event the client did not ask for
    assertThat(h.stub.received.get(0).body().path("stream_options").path("include_usage").asBoolean()).isTrue();
    String sent = h.stub.streamsSent.get(0);
    String usageEvent = sent.lines().filter(l -> l.contains("\"choices\":[]")).findFirst().orElseThrow() + "\n\n";
    assertThat(r.body()).isEqualTo(sent.replace(usageEvent, ""));
    assertThat(r.body()).contains("\"content\":\"answer\"").endsWith("data: [DONE]\n\n");

    // a client that asks for usage gets the upstream's bytes exactly
    String withUsage = Harness.chat("carrot:mu=0.5", PROMPT, true).replace("\"stream\":true", "\"stream\":true,\"stream_options\":{\"include_usage\":true}");
    HttpResponse<String> r2 = h.post("/v1/chat/completions", withUsage, null);
    assertThat(r2.body()).isEqualTo(h.stub.streamsSent.get(1));

    var rows = LogRows.all(h.server.log());
    assertThat(rows).hasSize(2);
    LogRows.Row row = rows.get(0);
    assertThat(row.answeredModel()).isEqualTo("mid");
    assertThat(row.stream()).isTrue();
    assertThat(row.completionId()).isEqualTo("chatcmpl-s-mid-v1");
    assertThat(row.actualInputTokens()).isEqualTo(11);
    assertThat(row.actualOutputTokens()).isEqualTo(7);
    assertThat(row.actualCostUsd()).isCloseTo((11 * 2 + 7 * 8) / 1e6, within(1e-15));
    assertThat(row.chargedUsd()).isCloseTo((11 * 2 + 7 * 8) / 1e6, within(1e-15));
  }

  @Test
  void fallsBackFromAFailingUpstream() throws Exception {
    h.stub.behave("strong-v1", Behaviour.FAIL_503);
    HttpResponse<String> r = chat("carrot:mu=0");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-carrot-model")).hasValue("mid");
    assertThat(r.headers().firstValue("x-carrot-fallbacks")).hasValue("1");
    // mid's own predictions are reported
    assertThat(header(r, "x-carrot-predicted-quality")).isEqualTo(0.75);
    assertThat(h.stub.models()).containsExactly("strong-v1", "mid-v1");

    h.stub.behave("mid-v1", Behaviour.FAIL_429);
    HttpResponse<String> r2 = chat("carrot:mu=0");
    assertThat(r2.headers().firstValue("x-carrot-model")).hasValue("cheap");
    assertThat(r2.headers().firstValue("x-carrot-fallbacks")).hasValue("2");
    assertThat(h.server.metrics().render())
        .contains("carrot_fallbacks_total{model=\"strong\",reason=\"http_5xx\"} 2")
        .contains("carrot_fallbacks_total{model=\"mid\",reason=\"http_429\"} 1");
    LogRows.Row row = LogRows.all(h.server.log()).get(1);
    assertThat(row.chosenModel()).isEqualTo("strong");
    assertThat(row.answeredModel()).isEqualTo("cheap");
    assertThat(row.fallbacks()).isEqualTo(2);
    assertThat(row.attemptsJson()).contains("\"model\":\"strong\"", "\"outcome\":\"http_5xx\"", "\"outcome\":\"http_429\"", "\"outcome\":\"answered\"");
  }

  @Test
  void fallsBackWhenAStreamEndsBeforeItsFirstEvent() throws Exception {
    h.stub.behave("strong-v1", Behaviour.CLOSE_STREAM);
    HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("carrot:mu=0", PROMPT, true), null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-carrot-model")).hasValue("mid");
    assertThat(r.body()).contains("answer").endsWith("data: [DONE]\n\n");
  }

  @Test
  void everyUpstreamFailingIs502() throws Exception {
    for (String m : new String[] {"strong-v1", "mid-v1", "cheap-v1"}) {
      h.stub.behave(m, Behaviour.FAIL_503);
    }
    HttpResponse<String> r = chat("carrot:mu=0");
    assertThat(r.statusCode()).isEqualTo(502);
    JsonNode e = StubUpstream.parse(r.body()).path("error");
    assertThat(e.path("type").asText()).isEqualTo("upstream_error");
    assertThat(e.path("message").asText()).startsWith("every upstream failed (3 attempts): strong: HTTP 503");
    assertThat(e.path("message").asText()).contains("mid: HTTP 503", "cheap: HTTP 503");
    assertThat(LogRows.all(h.server.log()).get(0).status()).isEqualTo(502);
  }

  @Test
  void anUpstreamsOwn4xxIsPassedOnWithoutFallback() throws Exception {
    h.stub.behave("strong-v1", Behaviour.BAD_REQUEST);
    HttpResponse<String> r = chat("carrot:mu=0");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("temperature too high");
    assertThat(h.stub.models()).containsExactly("strong-v1");
  }

  @Test
  void aConcreteModelPassesThrough() throws Exception {
    HttpResponse<String> r = chat("solo");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(StubUpstream.parse(r.body()).path("model").asText()).isEqualTo("solo-v1");
    assertThat(r.headers().firstValue("x-carrot-model")).hasValue("solo");
    assertThat(r.headers().firstValue("x-carrot-predicted-quality")).isEmpty();
    LogRows.Row row = LogRows.all(h.server.log()).get(0);
    assertThat(row.policy()).isEqualTo("passthrough");
    assertThat(row.actualCostUsd()).isCloseTo((11 * 1 + 7 * 2) / 1e6, within(1e-15));
  }

  @Test
  void minQualityPicksTheCheapestGoodEnoughModel() throws Exception {
    assertThat(chat("carrot:min-quality=0.7").headers().firstValue("x-carrot-model")).hasValue("mid");
    assertThat(chat("carrot:min-quality=0.5").headers().firstValue("x-carrot-model")).hasValue("cheap");
    HttpResponse<String> none = chat("carrot:min-quality=0.9");
    assertThat(none.headers().firstValue("x-carrot-model")).hasValue("strong");
    assertThat(none.headers().firstValue("x-carrot-constraint-met")).hasValue("false");
    assertThat(none.headers().firstValue("x-carrot-policy")).hasValue("min-quality");
  }

  @Test
  void maxCostKnobCapsThePredictedCostOfTheRequest() throws Exception {
    double cs = (10 * T + 4000) / 1e6;
    double cm = (2 * T + 800) / 1e6;
    double cc = (0.5 * T + 100) / 1e6;
    // a cap above strong's cost: the rule at default_mu 0.2 picks strong
    HttpResponse<String> rich = chat("carrot:max-cost=" + cs * 1.01);
    assertThat(rich.headers().firstValue("x-carrot-model")).hasValue("strong");
    assertThat(rich.headers().firstValue("x-carrot-policy")).hasValue("max-cost");
    assertThat(header(rich, "x-carrot-mu")).isEqualTo(0.2);
    // between mid and strong: strong is dropped, mid is the rule's best of the rest
    HttpResponse<String> r = chat("carrot:max-cost=" + cm * 1.01);
    assertThat(r.headers().firstValue("x-carrot-model")).hasValue("mid");
    assertThat(header(r, "x-carrot-predicted-cost-usd")).isLessThanOrEqualTo(cm * 1.01);
    assertThat(r.headers().firstValue("x-carrot-constraint-met")).isEmpty();
    // below the cheapest: the cheapest, flagged
    HttpResponse<String> poor = chat("carrot:max-cost=" + cc / 2);
    assertThat(poor.headers().firstValue("x-carrot-model")).hasValue("cheap");
    assertThat(poor.headers().firstValue("x-carrot-constraint-met")).hasValue("false");
  }

  @Test
  void routeEndpointAnswersTheDecisionOnly() throws Exception {
    HttpResponse<String> r = h.post("/v1/route", "{\"prompt\": \"" + PROMPT + "\", \"model\": \"carrot:mu=0.5\"}", null);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode d = StubUpstream.parse(r.body());
    assertThat(d.path("model").asText()).isEqualTo("mid");
    assertThat(d.path("mu").asDouble()).isEqualTo(0.5);
    assertThat(d.path("input_tokens").asLong()).isEqualTo((long) T);
    assertThat(d.path("candidates")).extracting(c -> c.path("model").asText()).containsExactly("mid", "cheap", "strong");
    JsonNode mid = d.path("candidates").get(0);
    double cm = (2 * T + 800) / 1e6;
    assertThat(mid.path("cost_usd").asDouble()).isCloseTo(cm, within(1e-15));
    assertThat(mid.path("score").asDouble()).isCloseTo(0.5 * 0.75 - 0.5 * 100 * cm, within(1e-12));
    assertThat(mid.path("output_tokens").asDouble()).isEqualTo(100);
    assertThat(h.stub.received).isEmpty();

    HttpResponse<String> m = h.post("/v1/route", "{\"messages\": [{\"role\": \"system\", \"content\": \"be brief\"}, {\"role\": \"user\", \"content\": \"" + PROMPT + "\"}]}", null);
    assertThat(StubUpstream.parse(m.body()).path("model").asText()).isEqualTo("strong");
  }

  @Test
  void modelsHealthAndMetrics() throws Exception {
    JsonNode models = StubUpstream.parse(h.get("/v1/models", null).body());
    assertThat(models.path("data")).extracting(n -> n.path("id").asText()).containsExactly("carrot", "strong", "mid", "cheap", "solo");
    assertThat(models.path("data").get(4).path("owned_by").asText()).isEqualTo("carrot-passthrough");
    JsonNode health = StubUpstream.parse(h.get("/health", null).body());
    assertThat(health.path("status").asText()).isEqualTo("ok");
    assertThat(health.path("router").path("routable").asInt()).isEqualTo(3);

    chat("carrot:mu=0");
    chat("carrot:mu=1");
    chat("carrot:mu=1");
    HttpResponse<String> m = h.get("/metrics", null);
    assertThat(m.headers().firstValue("content-type").orElseThrow()).startsWith("text/plain");
    assertThat(m.body())
        .contains("carrot_decisions_total{model=\"cheap\",policy=\"mu\"} 2")
        .contains("carrot_decisions_total{model=\"strong\",policy=\"mu\"} 1")
        .contains("carrot_requests_total{endpoint=\"chat\",status=\"200\"} 3")
        .contains("carrot_upstream_seconds_count{model=\"cheap\"} 2")
        .contains("carrot_router_seconds_count 3")
        .contains("# TYPE carrot_request_seconds histogram");
    double cc = (0.5 * 11 + 1 * 7) / 1e6;
    double cs = (10 * 11 + 40 * 7) / 1e6;
    assertThat(metric(m.body(), "carrot_actual_cost_usd_total{model=\"cheap\"}")).isCloseTo(2 * cc, within(1e-15));
    assertThat(metric(m.body(), "carrot_actual_cost_usd_total{model=\"strong\"}")).isCloseTo(cs, within(1e-15));
  }

  static double metric(String text, String series) {
    return text.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1))).findFirst().orElseThrow();
  }

  @Test
  void fallsBackFromASlowUpstream(@TempDir Path other) throws Exception {
    try (Harness slow = Harness.start(other, "", Clock.systemUTC(), 1000)) {
      slow.stub.behave("strong-v1", Behaviour.SLOW);
      HttpResponse<String> r = slow.post("/v1/chat/completions", Harness.chat("carrot:mu=0", PROMPT, false), null);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("x-carrot-model")).hasValue("mid");
      assertThat(slow.server.metrics().render()).contains("carrot_fallbacks_total{model=\"strong\",reason=\"timeout\"} 1");
    }
  }
}
