package io.carrot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carrot.embed.Cl100kTokenCounter;
import io.carrot.server.auth.ClientKeys;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Budgets under concurrency: each request's predicted cost is reserved at admission, so requests
 * running at once cannot take a key past its daily budget by more than one prediction; answers
 * without reported usage are charged their prediction (routed) or their counted tokens
 * (passthrough); a key's concurrency limit.
 */
class BudgetConcurrencyTest {
  static final String KEY = "ck-concurrent";
  static final String PROMPT = "how much is too much?";

  @TempDir Path dir;

  static String client(double budget, String more) {
    // no mu pressure: every request goes to the strong model, so every prediction is the same
    return """
        budget_policy: {raise_mu_from: 1}
        clients:
          - {id: team, key_sha256: %s, daily_budget_usd: %s%s}
        """.formatted(ClientKeys.sha256(KEY), budget, more);
  }

  /** The predicted cost of the strong model for {@link #PROMPT} (the router's choice at mu = 0). */
  static double strongPrediction() {
    return TestRouters.cost("strong", new Cl100kTokenCounter().count(PROMPT));
  }

  /** Sends {@code n} chat completions at once; returns their responses. */
  static List<HttpResponse<String>> concurrently(Harness h, int n, String model) throws Exception {
    List<HttpResponse<String>> out = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<HttpResponse<String>>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        fs.add(pool.submit(() -> h.post("/v1/chat/completions", Harness.chat(model, PROMPT, false), KEY)));
      }
      for (Future<HttpResponse<String>> f : fs) {
        out.add(f.get());
      }
    }
    return out;
  }

  @Test
  void concurrentRequestsOvershootTheBudgetByAtMostOnePrediction() throws Exception {
    double p = strongPrediction();
    assertThat(p).isBetween(0.004, 0.0041);
    // fixed-seed budgets between one and six predictions; 12 requests at once, none settled before all are admitted
    Random rnd = new Random(16);
    for (int round = 0; round < 3; round++) {
      double budget = p * (1 + 5 * rnd.nextDouble());
      Path d = dir.resolve("round" + round);
      java.nio.file.Files.createDirectories(d);
      try (Harness h = Harness.start(d, client(budget, ""))) {
        h.stub.noUsage.add("strong-v1");
        h.stub.okDelayMs = 300;
        List<HttpResponse<String>> rs = concurrently(h, 12, "carrot:mu=0");
        long admitted = rs.stream().filter(r -> r.statusCode() == 200).count();
        assertThat(rs).allSatisfy(r -> assertThat(r.statusCode()).isIn(200, 429));
        // admitted while the committed spend before it was below the budget: ceil(budget / p) requests
        assertThat(admitted).as("round %d, budget %s", round, budget).isEqualTo((long) Math.ceil(budget / p));
        List<LogRows.Row> rows = LogRows.all(h.server.log());
        double charged = rows.stream().mapToDouble(LogRows.Row::chargedUsd).sum();
        assertThat(charged).isLessThanOrEqualTo(budget + p + 1e-12);
        assertThat(rows.stream().filter(r -> r.status() == 200))
            .allSatisfy(r -> assertThat(r.chargedUsd()).as("no usage reported: the prediction").isCloseTo(p, within(1e-15)));
        assertThat(h.server.budgets().spent("team")).isCloseTo(admitted * p, within(1e-12));
        assertThat(h.stub.received).hasSize((int) admitted);
      }
    }
  }

  @Test
  void passthroughAnswersWithoutUsageAreChargedTheirCountedTokens() throws Exception {
    try (Harness h = Harness.start(dir, client(1, ""))) {
      h.stub.noUsage.add("solo-v1");
      HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("solo", PROMPT, false), KEY);
      assertThat(r.statusCode()).isEqualTo(200);
      Cl100kTokenCounter tokens = new Cl100kTokenCounter();
      // solo costs 1 / 2 USD per million input / output tokens
      double expected = (tokens.count(PROMPT) * 1.0 + tokens.count(StubUpstream.content("solo-v1")) * 2.0) / 1e6;
      assertThat(expected).isPositive();
      LogRows.Row row = LogRows.all(h.server.log()).get(0);
      assertThat(row.chargedUsd()).isCloseTo(expected, within(1e-15));
      assertThat(row.actualCostUsd()).isNull();
      assertThat(h.server.budgets().spent("team")).isCloseTo(expected, within(1e-15));
    }
  }

  @Test
  void aKeyOverItsConcurrencyLimitGetsAnOpenAiShaped429() throws Exception {
    try (Harness h = Harness.start(dir, client(100, ", max_concurrent: 2"))) {
      h.stub.okDelayMs = 500;
      List<HttpResponse<String>> rs = concurrently(h, 5, "carrot:mu=0");
      assertThat(rs.stream().filter(r -> r.statusCode() == 200).count()).isBetween(1L, 2L);
      List<HttpResponse<String>> refused = rs.stream().filter(r -> r.statusCode() == 429).toList();
      assertThat(refused).hasSizeGreaterThanOrEqualTo(3);
      var error = StubUpstream.parse(refused.get(0).body()).path("error");
      assertThat(error.path("type").asText()).isEqualTo("rate_limit_error");
      assertThat(error.path("code").asText()).isEqualTo("concurrency_limit_exceeded");
      assertThat(error.path("message").asText()).isEqualTo(
          "API key 'team' has 2 requests running already (max_concurrent); retry when one has finished");
      // the slots are given back: one at a time always passes
      h.stub.okDelayMs = 0;
      for (int i = 0; i < 3; i++) {
        assertThat(h.post("/v1/chat/completions", Harness.chat("carrot:mu=0", PROMPT, false), KEY).statusCode()).isEqualTo(200);
      }
    }
  }
}
