package io.carrot.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.carrot.server.log.DecisionLog;
import io.carrot.server.log.LogEntry;
import io.carrot.server.metrics.Metrics;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decision log's writer never blocks and never retries a row forever: a row the database
 * refuses is set aside in the dead-letter file while the others are stored; the queue is bounded in
 * bytes; text is made storable; /health says when the writer is failing or behind.
 */
class LogWriterTest {
  @TempDir Path dir;

  static LogEntry entry(String id, String prompt) {
    LogEntry.Builder b = new LogEntry.Builder();
    b.requestId = id;
    b.day = "2026-01-01";
    b.endpoint = "chat";
    b.prompt = prompt;
    return b.build();
  }

  static List<JsonNode> deadLetters(Path file) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file)) {
        out.add(StubUpstream.parse(line));
      }
    }
    return out;
  }

  @Test
  void aRowTheDatabaseRefusesIsSetAsideAndTheOthersAreStored() throws Exception {
    try (Harness h = Harness.start(dir, "")) {
      // the database refuses rows for the model 'poison', as a constraint or a full disk would
      h.server.log().query(c -> {
        try (Statement s = c.createStatement()) {
          return s.executeUpdate("CREATE TRIGGER refuse BEFORE INSERT ON requests WHEN NEW.requested_model = 'poison' "
              + "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
        }
      });
      List<String> ids = new ArrayList<>();
      for (String model : new String[] {"carrot", "poison", "carrot:mu=1", "poison", "solo"}) {
        HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat(model, "prompt for " + model, false), null);
        assertThat(r.statusCode()).isEqualTo(model.equals("poison") ? 400 : 200);
        ids.add(r.headers().firstValue("x-carrot-request-id").orElseThrow());
      }
      List<LogRows.Row> rows = LogRows.all(h.server.log());
      assertThat(rows).extracting(LogRows.Row::requestId).containsExactly(ids.get(0), ids.get(2), ids.get(4));
      Path file = h.server.log().deadLetterFile();
      assertThat(file).isEqualTo(dir.resolve("log.db.dead-letter.jsonl").toAbsolutePath().normalize());
      List<JsonNode> dead = deadLetters(file);
      assertThat(dead).extracting(n -> n.path("row").path("requestId").asText()).containsExactly(ids.get(1), ids.get(3));
      assertThat(dead.get(0).path("version").asInt()).isEqualTo(1);
      assertThat(dead.get(0).path("reason").asText()).isEqualTo("refused");
      assertThat(dead.get(0).path("error").asText()).contains("refused by the test");
      assertThat(dead.get(0).path("row").path("requestedModel").asText()).isEqualTo("poison");
      assertThat(dead.get(0).path("row").path("status").asInt()).isEqualTo(400);
      assertThat(h.server.metrics().render())
          .contains("carrot_log_rows_dead_letter_total{reason=\"refused\"} 2")
          .contains("carrot_log_rows_stored_total 3");
      HttpResponse<String> health = h.get("/health", null);
      assertThat(health.statusCode()).isEqualTo(200);
      JsonNode hn = StubUpstream.parse(health.body());
      assertThat(hn.path("status").asText()).isEqualTo("degraded");
      assertThat(hn.path("reasons").get(0).asText()).startsWith("decision log rows set aside in " + file).contains("refused by the test");
    }
  }

  @Test
  void theQueueIsBoundedInBytesAndAppendingNeverWaitsForTheDatabase() throws Exception {
    Path db = dir.resolve("q.db");
    ServerConfig.LogConfig lc = new ServerConfig.LogConfig(ServerConfig.sqliteUrl(db), null, null, true)
        .withQueueBytes(1 << 16);
    Metrics metrics = new Metrics();
    String prompt = "x".repeat(4000);
    long size = entry("req_0", prompt).approxBytes();
    int n = 40;
    try (DecisionLog log = DecisionLog.open(lc, k -> null, metrics)) {
      List<CompletableFuture<Void>> stored = new ArrayList<>();
      // another process holds the database's write lock: the writer cannot store anything
      try (Connection other = DriverManager.getConnection(ServerConfig.sqliteUrl(db)); Statement s = other.createStatement()) {
        s.execute("BEGIN EXCLUSIVE");
        for (int i = 0; i < n; i++) {
          stored.add(log.append(entry("req_" + i, prompt)));
        }
        // the writer holds one batch while it waits; of the rest, what fits in 64 KiB is queued and the others set aside at once
        long setAside = stored.stream().filter(CompletableFuture::isDone).count();
        assertThat(setAside).isBetween(n - (1L << 16) / size - 1, (long) n);
        assertThat(setAside).isPositive();
        assertThat(log.health()).anySatisfy(r -> assertThat(r).startsWith("decision log writer behind"));
        s.execute("ROLLBACK");
      }
      CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new)).get();
      long dead = deadLetters(lc.deadLetter()).size();
      assertThat(dead).isPositive();
      assertThat(LogRows.all(log)).hasSize((int) (n - dead));
      assertThat(deadLetters(lc.deadLetter())).allSatisfy(d -> assertThat(d.path("reason").asText()).isEqualTo("queue_full"));
      assertThat(metrics.render()).contains("carrot_log_rows_dead_letter_total{reason=\"queue_full\"} " + dead);
    }
  }

  @Test
  void textIsMadeStorableOnEveryDatabase() {
    assertThat(DecisionLog.safe("plain ascii")).isSameAs("plain ascii");
    assertThat(DecisionLog.safe("emoji \uD83D\uDE00 kept")).isEqualTo("emoji \uD83D\uDE00 kept");
    assertThat(DecisionLog.safe("nul\u0000here")).isEqualTo("nul\uFFFDhere");
    assertThat(DecisionLog.safe("lone \uD800 high, lone \uDC00 low, end \uD83D")).isEqualTo("lone \uFFFD high, lone \uFFFD low, end \uFFFD");
    assertThat(DecisionLog.safe(null)).isNull();
  }
}
