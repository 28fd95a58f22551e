package io.carrot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.carrot.core.data.Dataset;
import io.carrot.core.data.DatasetReader;
import io.carrot.server.auth.ClientKeys;
import io.carrot.server.log.LogExport;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decision log on PostgreSQL, when one is reachable (CI starts one with .ci/postgres.sh);
 * skipped otherwise. Connection: CARROT_TEST_PG_URL (default
 * jdbc:postgresql://127.0.0.1:5432/carrot_test), CARROT_TEST_PG_USER and CARROT_TEST_PG_PASSWORD
 * (default carrot / carrot). Each test works in a fresh schema that it drops afterwards.
 */
class PostgresLogTest {
  static final String URL = env("CARROT_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/carrot_test");
  static final String USER = env("CARROT_TEST_PG_USER", "carrot");
  static final String PASSWORD = env("CARROT_TEST_PG_PASSWORD", "carrot");
  String schema;
  boolean created;

  @TempDir Path dir;

  static String env(String k, String dflt) {
    String v = System.getenv(k);
    return v == null || v.isBlank() ? dflt : v;
  }

  /** A fresh schema for each test. */
  @BeforeEach
  void reachable() {
    DriverManager.setLoginTimeout(3);
    schema = "carrot_test_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
      created = true;
    } catch (SQLException e) {
      assumeTrue(false, "no PostgreSQL at " + URL + " (" + e.getMessage() + "); run .ci/postgres.sh to start one");
    }
  }

  @AfterEach
  void dropSchema() throws SQLException {
    if (!created) {
      return;
    }
    try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  @Test
  void logBudgetsFeedbackAndExportOnPostgres() throws Exception {
    String key = "ck-pg";
    String extra = """
        log: {url: "%s?currentSchema=%s", user: %s, password_env: PG_PASSWORD, store_prompts: true}
        clients:
          - {id: pg, key_sha256: %s, daily_budget_usd: 0.0005}
        """.formatted(URL, schema, USER, ClientKeys.sha256(key));
    try (Harness h = Harness.start(dir, extra, Clock.systemUTC(), 5000, Map.of("PG_PASSWORD", PASSWORD))) {
      HttpResponse<String> a = h.post("/v1/chat/completions", Harness.chat("carrot:mu=0", "pg prompt", false), key);
      assertThat(a.statusCode()).isEqualTo(200);
      HttpResponse<String> b = h.post("/v1/chat/completions", Harness.chat("carrot:mu=1", "pg prompt", true), key);
      assertThat(b.statusCode()).isEqualTo(200);
      assertThat(h.post("/v1/feedback", "{\"request_id\": \"chatcmpl-strong-v1\", \"score\": 1}", key).statusCode()).isEqualTo(200);
      String idB = b.headers().firstValue("x-carrot-request-id").orElseThrow();
      assertThat(h.post("/v1/feedback", "{\"request_id\": \"" + idB + "\", \"score\": 0}", key).statusCode()).isEqualTo(200);

      h.restart();
      List<LogRows.Row> rows = LogRows.all(h.server.log());
      assertThat(rows).extracting(LogRows.Row::answeredModel).containsExactlyInAnyOrder("strong", "cheap");
      double spent = (11 * 10 + 7 * 40 + 11 * 0.5 + 7 * 1) / 1e6;
      assertThat(h.server.budgets().spent("pg")).isCloseTo(spent, within(1e-15));
      // a third answer pushes the key over its budget; the fourth request is refused
      assertThat(h.post("/v1/chat/completions", Harness.chat("carrot:mu=0", "pg prompt", false), key).statusCode()).isEqualTo(200);
      assertThat(h.post("/v1/chat/completions", Harness.chat("carrot:mu=0", "pg prompt", false), key).statusCode()).isEqualTo(429);

      LogExport.Result r = LogExport.export(h.server.log(), dir.resolve("export"), new LogExport.Options(null, null, false, 42, 0, 0, false));
      assertThat(r.prompts()).isEqualTo(1);
      Dataset d = DatasetReader.read(dir.resolve("export"));
      assertThat(d.models()).containsExactly("cheap", "strong");
      assertThat(d.prompts().get(0).scores()).containsExactly(0.0, 1.0);
      int version = h.server.log().query(c -> {
        try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
          rs.next();
          return rs.getInt(1);
        }
      });
      assertThat(version).isEqualTo(2);
    }
  }

  @Test
  void twoInstancesShareOneBudget() throws Exception {
    String key = BudgetConcurrencyTest.KEY;
    double p = BudgetConcurrencyTest.strongPrediction();
    double budget = 3.5 * p;
    String extra = """
        log: {url: "%s?currentSchema=%s", user: %s, password_env: PG_PASSWORD}
        """.formatted(URL, schema, USER) + BudgetConcurrencyTest.client(budget, "");
    Map<String, String> env = Map.of("PG_PASSWORD", PASSWORD);
    java.nio.file.Files.createDirectories(dir.resolve("a"));
    java.nio.file.Files.createDirectories(dir.resolve("b"));
    try (Harness a = Harness.start(dir.resolve("a"), extra, Clock.systemUTC(), 5000, env);
        Harness b = Harness.start(dir.resolve("b"), extra, Clock.systemUTC(), 5000, env)) {
      for (Harness h : List.of(a, b)) {
        h.stub.noUsage.add("strong-v1");
        h.stub.okDelayMs = 300;
      }
      // 8 requests at once on each instance: together they may admit ceil(3.5) = 4, not 4 each
      long admitted;
      try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
        var fa = pool.submit(() -> send(a, 8));
        var fb = pool.submit(() -> send(b, 8));
        admitted = fa.get() + fb.get();
      }
      assertThat(admitted).isEqualTo(4);
      assertThat(a.stub.received.size() + b.stub.received.size()).isEqualTo(4);
      // one counter, holding both instances' spend
      double spend = a.server.log().spend("team", a.server.budgets().today());
      assertThat(spend).isCloseTo(4 * p, within(1e-12)).isLessThanOrEqualTo(budget + p);
      assertThat(a.post("/v1/chat/completions", Harness.chat("carrot:mu=0", "more", false), key).statusCode()).isEqualTo(429);
      assertThat(b.post("/v1/chat/completions", Harness.chat("carrot:mu=0", "more", false), key).statusCode()).isEqualTo(429);
    }
  }

  private static long send(Harness h, int n) {
    try {
      return BudgetConcurrencyTest.concurrently(h, n, "carrot:mu=0").stream().filter(r -> r.statusCode() == 200).count();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void clientTextWithNulCharactersIsStoredSafely() throws Exception {
    String extra = """
        log: {url: "%s?currentSchema=%s", user: %s, password_env: PG_PASSWORD, store_prompts: true}
        """.formatted(URL, schema, USER);
    try (Harness h = Harness.start(dir, extra, Clock.systemUTC(), 5000, Map.of("PG_PASSWORD", PASSWORD))) {
      String model = "nul\u0000model";
      HttpResponse<String> bad = h.post("/v1/chat/completions", Harness.chat(model, "x", false), null);
      assertThat(bad.statusCode()).isEqualTo(400);
      String body = "{\"model\": \"carrot:mu=0\", \"messages\": [{\"role\": \"user\", \"content\": \"a\\u0000b c\"}]}";
      HttpResponse<String> ok = h.post("/v1/chat/completions", body, null);
      assertThat(ok.statusCode()).isEqualTo(200);
      String okId = ok.headers().firstValue("x-carrot-request-id").orElseThrow();
      String badId = bad.headers().firstValue("x-carrot-request-id").orElseThrow();
      List<LogRows.Row> rows = LogRows.all(h.server.log()).stream()
          .filter(r -> r.requestId().equals(okId) || r.requestId().equals(badId)).toList();
      assertThat(rows).hasSize(2);
      String storedModel = h.server.log().query(c -> {
        try (var st = c.prepareStatement("SELECT requested_model FROM requests WHERE request_id = ?")) {
          st.setString(1, badId);
          try (var r = st.executeQuery()) {
            r.next();
            return r.getString(1);
          }
        }
      });
      assertThat(storedModel).isEqualTo("nul\uFFFDmodel");
      LogRows.Row stored = rows.stream().filter(r -> r.requestId().equals(okId)).findFirst().orElseThrow();
      assertThat(stored.prompt()).isEqualTo("a\uFFFDb c");
      // the hash is of the text as sent
      assertThat(stored.promptSha256()).isEqualTo(Routing.sha256("a\u0000b c"));
      assertThat(h.server.metrics().render()).doesNotContain("carrot_log_rows_dead_letter_total{");
    }
  }
}
