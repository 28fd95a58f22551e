package io.carrot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carrot.core.route.BudgetCurve;
import io.carrot.server.auth.ClientKeys;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code carrot:budget=B} on a real socket: a mean real spend of B USD per 1000 requests, paced per
 * (key, B) from the usage the stub upstream reports.
 *
 * <p>Every stub answer reports 11 prompt and 7 completion tokens, so an answer really costs (USD
 * per 1000 requests) 0.39 from strong, 0.078 from mid, 0.0125 from cheap. The router's budget curve
 * was "measured" on other prompts and says 30% less at each mu: mu = 0 (strong), 0.5 (mid) and 1
 * (cheap); for the prompts here strong wins below mu 0.27 and cheap above 0.77, so the curve's
 * settings route exactly as it says.
 */
class PacedBudgetTest {
  static final Map<String, Double> REAL = Map.of("strong", (11 * 10 + 7 * 40) / 1e6, "mid", (11 * 2 + 7 * 8) / 1e6, "cheap", (11 * 0.5 + 7 * 1) / 1e6);
  static final BudgetCurve CURVE = new BudgetCurve(
      new double[] {0, 0.5, 1}, new double[] {REAL.get("strong") / 1.3, REAL.get("mid") / 1.3, REAL.get("cheap") / 1.3});
  static final double B = 0.15;

  @TempDir Path dir;

  private static String model(HttpResponse<?> r) {
    return r.headers().firstValue("x-carrot-model").orElseThrow();
  }

  private static Optional<Double> spent(HttpResponse<?> r) {
    return r.headers().firstValue("x-carrot-budget-spent-per-1000").map(Double::parseDouble);
  }

  private static double mu(HttpResponse<?> r) {
    return Double.parseDouble(r.headers().firstValue("x-carrot-mu").orElseThrow());
  }

  @Test
  void aStreamLandsOnItsBudgetWhereTheFixedSettingMissesBy30Percent() throws Exception {
    try (Harness h = Harness.start(dir, "", TestRouters.tiny(CURVE), y -> y)) {
      // the curve's fixed setting for B: a share (0.3 - 0.15) / (0.3 - 0.06) = 0.625 of prompts at mu = 0.5
      BudgetCurve.Setting fixed = CURVE.setting(B);
      assertThat(fixed.shareHigh()).isCloseTo(0.625, within(1e-12));
      int n = 400;
      double pacedUsd = 0;
      double fixedUsd = 0;
      for (int i = 0; i < n; i++) {
        String prompt = "Question " + i + ": what is " + i + " plus " + (7 * i % 13) + "?";
        boolean stream = i % 3 == 0;
        HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("carrot:budget=" + B, prompt, stream), null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-carrot-policy")).hasValue("budget");
        if (i == 0) {
          assertThat(spent(r)).isEmpty();
        } else {
          // the stream's mean real spend before this request
          assertThat(spent(r).orElseThrow()).isCloseTo(1000 * pacedUsd / i, within(1e-9));
        }
        pacedUsd += REAL.get(model(r));
        fixedUsd += REAL.get(fixed.muFor(prompt) == 0 ? "strong" : "mid");
      }
      double paced = 1000 * pacedUsd / n;
      double fixedSpend = 1000 * fixedUsd / n;
      String both = "paced " + paced + ", fixed " + fixedSpend + " USD per 1000 for a budget of " + B;
      // the fixed setting is 30% over in expectation; these 400 prompts' hashes make it +21%
      assertThat(fixedSpend / B - 1).as(both).isGreaterThan(0.15);
      assertThat(paced / B - 1).as(both).isCloseTo(0, within(0.03));
      String metrics = h.get("/metrics", null).body();
      assertThat(metrics).contains("carrot_budget_requests{key=\"anonymous\",budget=\"0.15\"} 400");
      assertThat(ProxyTest.metric(metrics, "carrot_budget_spent_usd_per_1000{key=\"anonymous\",budget=\"0.15\"}"))
          .isCloseTo(paced, within(1e-9));
    }
  }

  @Test
  void eachKeyHasAStreamPerBudgetAndWhatTheDailyBudgetSavesIsNotSpentBack() throws Exception {
    String alice = "ck-alice";
    String bob = "ck-bob";
    String carol = "ck-carol";
    String clients = """
        budget_policy: {raise_mu_from: 0.5}
        clients:
          - {id: alice, key_sha256: %s}
          - {id: bob, key_sha256: %s}
          - {id: carol, key_sha256: %s, daily_budget_usd: 0.001}
        """.formatted(ClientKeys.sha256(alice), ClientKeys.sha256(bob), ClientKeys.sha256(carol));
    try (Harness h = Harness.start(dir, clients, TestRouters.tiny(CURVE), y -> y)) {
      HttpResponse<String> a1 = h.post("/v1/chat/completions", Harness.chat("carrot:budget=0.15", "hi there", false), alice);
      assertThat(spent(a1)).isEmpty();
      HttpResponse<String> a2 = h.post("/v1/chat/completions", Harness.chat("carrot:budget=0.15", "hi there", true), alice);
      assertThat(spent(a2).orElseThrow()).isCloseTo(1000 * REAL.get(model(a1)), within(1e-12));
      // bob's stream at the same budget, and alice's at another, are their own
      assertThat(spent(h.post("/v1/chat/completions", Harness.chat("carrot:budget=0.15", "hi there", false), bob))).isEmpty();
      assertThat(spent(h.post("/v1/chat/completions", Harness.chat("carrot:budget=0.2", "hi there", false), alice))).isEmpty();
      // /v1/route answers what the stream would decide and records nothing
      HttpResponse<String> route = h.post("/v1/route", "{\"prompt\": \"hi there\", \"model\": \"carrot:budget=0.15\"}", alice);
      assertThat(route.statusCode()).isEqualTo(200);
      String metrics = h.get("/metrics", null).body();
      assertThat(metrics)
          .contains("carrot_budget_requests{key=\"alice\",budget=\"0.15\"} 2")
          .contains("carrot_budget_requests{key=\"alice\",budget=\"0.2\"} 1")
          .contains("carrot_budget_requests{key=\"bob\",budget=\"0.15\"} 1");

      // carol: a budget above the curve's top (0.3) is mu = 0, strong; her daily budget of 0.001 USD
      // raises mu from half of it: after two strong answers (78%) to (0.78 - 0.5) / 0.5 = 0.56, mid
      for (int i = 0; i < 2; i++) {
        HttpResponse<String> c = h.post("/v1/chat/completions", Harness.chat("carrot:budget=100", "hi there", false), carol);
        assertThat(model(c)).isEqualTo("strong");
        assertThat(mu(c)).isZero();
      }
      HttpResponse<String> pressed = h.post("/v1/chat/completions", Harness.chat("carrot:budget=100", "hi there", false), carol);
      assertThat(mu(pressed)).isCloseTo((2 * REAL.get("strong") / 0.001 - 0.5) / 0.5, within(1e-9));
      assertThat(model(pressed)).isEqualTo("mid");
      assertThat(pressed.headers().firstValue("x-carrot-policy")).hasValue("budget");
      assertThat(spent(pressed).orElseThrow()).isCloseTo(1000 * REAL.get("strong"), within(1e-12));
      // charged to the daily budget, not recorded in the stream
      assertThat(h.server.budgets().spent("carol")).isCloseTo(2 * REAL.get("strong") + REAL.get("mid"), within(1e-15));
      assertThat(h.get("/metrics", null).body()).contains("carrot_budget_requests{key=\"carol\",budget=\"100.0\"} 2");
    }
  }

  @Test
  void anUpstreamPriceThatChangesARouterPriceLeavesNoCurve(@TempDir Path other) throws Exception {
    String msgs = Harness.chat("carrot:budget=0.15", "hi there", false);
    try (Harness h = Harness.start(dir, "", TestRouters.tiny(CURVE),
        y -> y.replace("model: mid-v1}", "model: mid-v1, price: {input_per_mtok: 3, output_per_mtok: 8}}"))) {
      HttpResponse<String> r = h.post("/v1/chat/completions", msgs, null);
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(StubUpstream.parse(r.body()).path("error").path("message").asText()).endsWith(
          "validation split; the router's was measured at its own prices, which the price overrides of upstreams [mid] change");
      assertThat(h.stub.received).isEmpty();
    }
    // repeating the router's own price keeps the curve
    try (Harness h = Harness.start(other, "", TestRouters.tiny(CURVE),
        y -> y.replace("model: mid-v1}", "model: mid-v1, price: {input_per_mtok: 2, output_per_mtok: 8}}"))) {
      assertThat(h.post("/v1/chat/completions", msgs, null).statusCode()).isEqualTo(200);
      assertThat(List.of(h.stub.models().size())).containsExactly(1);
    }
  }
}
