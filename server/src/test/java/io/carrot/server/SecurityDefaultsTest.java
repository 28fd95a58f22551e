package io.carrot.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.carrot.server.auth.ClientKeys;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prompts kept only when asked for, old rows purged, /metrics behind a key, /health while draining. */
class SecurityDefaultsTest {
  @TempDir Path dir;

  @Test
  void promptsAreHashedNotStoredByDefault() throws Exception {
    try (Harness h = Harness.start(dir, "log: {path: log.db}\n")) {
      assertThat(h.post("/v1/chat/completions", Harness.chat("carrot", "a secret prompt", false), null).statusCode()).isEqualTo(200);
      assertThat(h.post("/v1/chat/completions", Harness.chat("solo", "another secret", true), null).statusCode()).isEqualTo(200);
      assertThat(h.post("/v1/route", "{\"prompt\": \"routed secret\"}", null).statusCode()).isEqualTo(200);
      assertThat(LogRows.all(h.server.log())).allSatisfy(r -> assertThat(r.prompt()).isNull())
          .extracting(LogRows.Row::promptSha256)
          .containsExactly(Routing.sha256("a secret prompt"), Routing.sha256("another secret"), Routing.sha256("routed secret"));
    }
  }

  @Test
  void rowsOlderThanTheRetentionArePurgedAtStart() throws Exception {
    AuthBudgetTest.MovableClock clock = new AuthBudgetTest.MovableClock();
    String key = "ck-retained";
    String clients = "clients:\n  - {id: old, key_sha256: " + ClientKeys.sha256(key) + ", daily_budget_usd: 1}\n";
    clock.now = java.time.Instant.parse("2026-03-01T12:00:00Z");
    String id1;
    try (Harness h = Harness.start(dir, "log: {path: log.db, retain_days: 3}\n" + clients, clock)) {
      id1 = h.post("/v1/chat/completions", Harness.chat("carrot", "day one", false), key).headers().firstValue("x-carrot-request-id").orElseThrow();
      assertThat(h.post("/v1/feedback", "{\"request_id\": \"" + id1 + "\", \"score\": 1}", key).statusCode()).isEqualTo(200);
      clock.now = java.time.Instant.parse("2026-03-02T12:00:00Z");
      h.post("/v1/chat/completions", Harness.chat("carrot", "day two", false), key);
      clock.now = java.time.Instant.parse("2026-03-04T12:00:00Z");
      // restarted on day four: keeps days two to four, purges day one with its feedback and spend
      h.restart();
      assertThat(count(h, "SELECT COUNT(*) FROM requests")).isEqualTo(1);
      assertThat(count(h, "SELECT COUNT(*) FROM requests WHERE day = '2026-03-02'")).isEqualTo(1);
      assertThat(count(h, "SELECT COUNT(*) FROM feedback")).isZero();
      assertThat(count(h, "SELECT COUNT(*) FROM spend WHERE day = '2026-03-01'")).isZero();
      assertThat(count(h, "SELECT COUNT(*) FROM spend WHERE day = '2026-03-02'")).isEqualTo(1);
      assertThat(h.server.log().purgeBefore(LocalDate.parse("2026-03-03"))).isEqualTo(1);
      assertThat(LogRows.all(h.server.log())).isEmpty();
    }
  }

  static int count(Harness h, String sql) {
    return h.server.log().query(c -> {
      try (Statement s = c.createStatement(); var r = s.executeQuery(sql)) {
        r.next();
        return r.getInt(1);
      }
    });
  }

  @Test
  void metricsCanRequireAKey() throws Exception {
    String metricsKey = "ck-scraper";
    try (Harness h = Harness.start(dir, "metrics: {key_sha256: " + ClientKeys.sha256(metricsKey) + "}\n")) {
      HttpResponse<String> none = h.get("/metrics", null);
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(StubUpstream.parse(none.body()).path("error").path("message").asText())
          .isEqualTo("/metrics needs the metrics key: send 'Authorization: Bearer METRICS_KEY' (metrics.key_sha256)");
      assertThat(h.get("/metrics", "ck-wrong").statusCode()).isEqualTo(401);
      HttpResponse<String> ok = h.get("/metrics", metricsKey);
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).contains("carrot_log_queue_bytes");
      assertThat(h.get("/health", null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void healthSaysDegradedWhileDraining() throws Exception {
    try (Harness h = Harness.start(dir, "")) {
      JsonNode ok = StubUpstream.parse(h.get("/health", null).body());
      assertThat(ok.path("status").asText()).isEqualTo("ok");
      assertThat(ok.has("reasons")).isFalse();
      h.stub.behave("strong-v1", StubUpstream.Behaviour.SLOW_STREAM);
      var pending = h.http.sendAsync(
          HttpRequest.newBuilder(URI.create(h.base() + "/v1/chat/completions"))
              .POST(HttpRequest.BodyPublishers.ofString(Harness.chat("carrot:mu=0", "slow", true))).build(),
          HttpResponse.BodyHandlers.ofString());
      while (h.stub.received.isEmpty()) {
        Thread.sleep(5);
      }
      String base = h.base();
      Thread closer = Thread.ofPlatform().start(h.server::close);
      HttpResponse<String> health;
      do {
        health = h.http.send(HttpRequest.newBuilder(URI.create(base + "/health")).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
      } while (health.statusCode() == 200);
      assertThat(health.statusCode()).isEqualTo(503);
      JsonNode d = StubUpstream.parse(health.body());
      assertThat(d.path("status").asText()).isEqualTo("degraded");
      assertThat(d.path("reasons").get(0).asText()).isEqualTo("draining: the server is shutting down and refuses new requests");
      assertThat(pending.get().statusCode()).isEqualTo(200);
      closer.join();
      h.server = CarrotServer.start(ServerConfig.parse(h.yaml, "test.yaml", dir), TestRouters.tiny(), h.env::get, h.clock);
    }
  }
}
