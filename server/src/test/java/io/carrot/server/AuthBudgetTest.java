package io.carrot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.carrot.server.auth.ClientKeys;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bearer keys checked against hashes; per-key daily budgets: raise mu, then 429; survives restarts and resets at midnight UTC. */
class AuthBudgetTest {
  static final String ALICE = "ck-alice-key";
  static final String BOB = "ck-bob-key";
  static final String CAROL = "ck-carol-key";
  /** What one answer from the strong upstream costs: 11 prompt and 7 completion tokens at 10 / 40 USD per million. */
  static final double STRONG_ANSWER = (11 * 10 + 7 * 40) / 1e6;
  static final double MID_ANSWER = (11 * 2 + 7 * 8) / 1e6;

  @TempDir Path dir;

  static String clients() {
    return """
        budget_policy: {raise_mu_from: 0.5}
        clients:
          - {id: alice, key_sha256: %s, daily_budget_usd: 0.0003}
          - {id: bob, key_sha256: %s}
          - {id: carol, key_sha256: %s, daily_budget_usd: 0.001}
        """.formatted(ClientKeys.sha256(ALICE), ClientKeys.sha256(BOB), ClientKeys.sha256(CAROL));
  }

  /** A clock the test moves by hand. */
  static final class MovableClock extends Clock {
    Instant now = Instant.parse("2026-03-01T23:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private static HttpResponse<String> chat(Harness h, String key, String model) throws Exception {
    return h.post("/v1/chat/completions", Harness.chat(model, "hi there", false), key);
  }

  private static JsonNode error(HttpResponse<String> r) throws Exception {
    return StubUpstream.parse(r.body()).path("error");
  }

  @Test
  void keysAreCheckedAgainstHashes() throws Exception {
    try (Harness h = Harness.start(dir, clients())) {
      HttpResponse<String> none = chat(h, null, "carrot");
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(error(none).path("code").asText()).isEqualTo("invalid_api_key");
      assertThat(error(none).path("message").asText()).isEqualTo("missing API key: send 'Authorization: Bearer YOUR_KEY'");
      assertThat(chat(h, "ck-wrong", "carrot").statusCode()).isEqualTo(401);
      assertThat(h.post("/v1/route", "{\"prompt\": \"x\"}", "nope").statusCode()).isEqualTo(401);
      assertThat(h.get("/v1/models", null).statusCode()).isEqualTo(401);
      assertThat(h.get("/v1/models", BOB).statusCode()).isEqualTo(200);
      assertThat(h.get("/health", null).statusCode()).isEqualTo(200);
      assertThat(h.stub.received).isEmpty();

      HttpResponse<String> ok = chat(h, BOB, "carrot");
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.headers().firstValue("x-carrot-budget-remaining-usd")).isEmpty();
      // the client's key never goes upstream
      assertThat(h.stub.received.get(0).authorization()).isEqualTo("Bearer sk-strong-secret");
      assertThat(LogRows.all(h.server.log())).extracting(LogRows.Row::keyId).contains("bob");
    }
  }

  @Test
  void nearingTheBudgetRaisesMuAndReachingItRefuses() throws Exception {
    try (Harness h = Harness.start(dir, clients())) {
      // carol: budget 0.001, mu raised from 50% of it
      HttpResponse<String> r1 = chat(h, CAROL, "carrot:mu=0");
      assertThat(r1.headers().firstValue("x-carrot-model")).hasValue("strong");
      assertThat(r1.headers().firstValue("x-carrot-budget-remaining-usd").map(Double::parseDouble).orElseThrow()).isEqualTo(0.001);
      HttpResponse<String> r2 = chat(h, CAROL, "carrot:mu=0");
      assertThat(Double.parseDouble(r2.headers().firstValue("x-carrot-mu").orElseThrow())).isEqualTo(0.0);
      // spent 2 x 0.00039 = 78% of the budget: mu = 0 + (1 - 0) (0.78 - 0.5) / 0.5 = 0.56, where mid wins
      HttpResponse<String> r3 = chat(h, CAROL, "carrot:mu=0");
      assertThat(Double.parseDouble(r3.headers().firstValue("x-carrot-mu").orElseThrow()))
          .isCloseTo((2 * STRONG_ANSWER / 0.001 - 0.5) / 0.5, within(1e-9));
      assertThat(r3.headers().firstValue("x-carrot-model")).hasValue("mid");
      assertThat(h.server.budgets().spent("carol")).isCloseTo(2 * STRONG_ANSWER + MID_ANSWER, within(1e-15));

      // alice: budget 0.0003, one strong answer (0.00039) uses it up
      assertThat(chat(h, ALICE, "carrot:mu=0").statusCode()).isEqualTo(200);
      HttpResponse<String> refused = chat(h, ALICE, "carrot:mu=0");
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(error(refused).path("type").asText()).isEqualTo("insufficient_quota");
      assertThat(error(refused).path("code").asText()).isEqualTo("daily_budget_exceeded");
      assertThat(error(refused).path("message").asText()).startsWith("API key 'alice' has spent 0.000390 USD of its daily budget of 0.000300 USD");
      // passthrough is refused too; bob, without a budget, is not
      assertThat(chat(h, ALICE, "solo").statusCode()).isEqualTo(429);
      assertThat(chat(h, BOB, "solo").statusCode()).isEqualTo(200);
      assertThat(h.stub.received).hasSize(5);
      assertThat(h.server.metrics().render()).contains("carrot_requests_total{endpoint=\"chat\",status=\"429\"} 2");
    }
  }

  @Test
  void spendSurvivesARestartAndResetsAtMidnightUtc() throws Exception {
    MovableClock clock = new MovableClock();
    try (Harness h = Harness.start(dir, clients(), clock)) {
      assertThat(chat(h, ALICE, "carrot:mu=0").statusCode()).isEqualTo(200);
      assertThat(chat(h, ALICE, "carrot:mu=0").statusCode()).isEqualTo(429);
      h.restart();
      assertThat(h.server.budgets().spent("alice")).isCloseTo(STRONG_ANSWER, within(1e-15));
      assertThat(chat(h, ALICE, "carrot:mu=0").statusCode()).isEqualTo(429);
      clock.now = clock.now.plus(Duration.ofHours(1));
      assertThat(chat(h, ALICE, "carrot:mu=0").statusCode()).isEqualTo(200);
      assertThat(h.server.budgets().spent("alice")).isCloseTo(STRONG_ANSWER, within(1e-15));
      assertThat(LogRows.all(h.server.log())).extracting(LogRows.Row::status).containsExactly(200, 429, 429, 200);
    }
  }

  @Test
  void feedbackOnlyForTheKeysOwnRequests() throws Exception {
    try (Harness h = Harness.start(dir, clients())) {
      String id = chat(h, BOB, "carrot").headers().firstValue("x-carrot-request-id").orElseThrow();
      String body = "{\"request_id\": \"" + id + "\", \"score\": 1}";
      assertThat(h.post("/v1/feedback", body, CAROL).statusCode()).isEqualTo(404);
      assertThat(h.post("/v1/feedback", body, null).statusCode()).isEqualTo(401);
      assertThat(h.post("/v1/feedback", body, BOB).statusCode()).isEqualTo(200);
    }
  }
}
