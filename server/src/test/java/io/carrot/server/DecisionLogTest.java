package io.carrot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.carrot.core.data.Dataset;
import io.carrot.core.data.DatasetReader;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.server.log.DecisionLog;
import io.carrot.server.log.LogExport;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decision log on SQLite: what a request stores, surviving a restart, feedback, migrations, export. */
class DecisionLogTest {
  @TempDir Path dir;

  static String feedback(String id, double score) {
    return "{\"request_id\": \"" + id + "\", \"score\": " + score + "}";
  }

  @Test
  void everythingLoggedSurvivesARestart() throws Exception {
    try (Harness h = Harness.start(dir, "")) {
      HttpResponse<String> a = h.post("/v1/chat/completions", Harness.chat("carrot:mu=0", "first prompt", false), null);
      h.post("/v1/chat/completions", Harness.chat("carrot:mu=1", "second prompt", true), null);
      h.post("/v1/route", "{\"prompt\": \"third prompt\"}", null);
      h.post("/v1/chat/completions", "{\"model\": \"nope\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}", null);
      String id = a.headers().firstValue("x-carrot-request-id").orElseThrow();
      // the feedback names the upstream's completion id here; the log maps it to carrot's id
      HttpResponse<String> f = h.post("/v1/feedback", feedback("chatcmpl-strong-v1", 0.5), null);
      assertThat(f.statusCode()).isEqualTo(200);
      assertThat(StubUpstream.parse(f.body()).path("request_id").asText()).isEqualTo(id);
      h.restart();

      List<LogRows.Row> rows = LogRows.all(h.server.log());
      assertThat(rows).extracting(LogRows.Row::endpoint).containsExactly("chat", "chat", "route", "chat");
      assertThat(rows).extracting(LogRows.Row::status).containsExactly(200, 200, 200, 400);
      LogRows.Row first = rows.get(0);
      assertThat(first.requestId()).isEqualTo(id);
      assertThat(first.prompt()).isEqualTo("first prompt");
      assertThat(first.promptSha256()).isEqualTo(Routing.sha256("first prompt"));
      assertThat(first.mu()).isEqualTo(0.0);
      assertThat(first.predictedCostUsd()).isCloseTo(TestRouters.cost("strong", new io.carrot.embed.Cl100kTokenCounter().count("first prompt")), within(1e-15));
      assertThat(first.actualCostUsd()).isCloseTo((11 * 10 + 7 * 40) / 1e6, within(1e-15));
      assertThat(rows.get(1).answeredModel()).isEqualTo("cheap");
      assertThat(rows.get(2).chargedUsd()).isEqualTo(0.0);
      assertThat(rows.get(3).error()).startsWith("unknown model 'nope'");

      // feedback on a request from before the restart, by carrot's id, replaces the grade
      assertThat(h.post("/v1/feedback", feedback(id, 1.0), null).statusCode()).isEqualTo(200);
      double score = h.server.log().query(c -> {
        try (Statement s = c.createStatement(); var r = s.executeQuery("SELECT score FROM feedback")) {
          r.next();
          return r.getDouble(1);
        }
      });
      assertThat(score).isEqualTo(1.0);
      int version = h.server.log().query(c -> {
        try (Statement s = c.createStatement(); var r = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
          r.next();
          return r.getInt(1);
        }
      });
      assertThat(version).isEqualTo(2);
    }
  }

  @Test
  void closingWaitsForARunningStreamAndKeepsItsRow() throws Exception {
    try (Harness h = Harness.start(dir, "")) {
      h.stub.behave("strong-v1", StubUpstream.Behaviour.SLOW_STREAM);
      var pending = h.http.sendAsync(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(h.base() + "/v1/chat/completions"))
              .POST(java.net.http.HttpRequest.BodyPublishers.ofString(Harness.chat("carrot:mu=0", "slow one", true)))
              .build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      while (h.stub.received.isEmpty()) {
        Thread.sleep(5);
      }
      CarrotServer running = h.server;
      Thread waiter = Thread.ofPlatform().start(() -> {
        try {
          running.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      assertThat(waiter.isAlive()).isTrue();
      h.server.close();
      waiter.join(10_000);
      assertThat(waiter.isAlive()).as("join() returns once the server is closed").isFalse();
      HttpResponse<String> r = pending.get();
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("answer").endsWith("data: [DONE]\n\n");
      h.server = CarrotServer.start(ServerConfig.parse(h.yaml, "test.yaml", dir), TestRouters.tiny(), h.env::get, h.clock);
      List<LogRows.Row> rows = LogRows.all(h.server.log());
      assertThat(rows).hasSize(1);
      assertThat(rows.get(0).prompt()).isEqualTo("slow one");
      assertThat(rows.get(0).actualOutputTokens()).isEqualTo(7);
    }
  }

  @Test
  void aLogFromANewerCarrotIsRefused() throws Exception {
    try (Harness h = Harness.start(dir, "")) {
      h.server.log().query(c -> {
        try (Statement s = c.createStatement()) {
          return s.executeUpdate("INSERT INTO schema_version (version, name, applied_at) VALUES (7, 'V7__future.sql', 0)");
        }
      });
      h.server.close();
      assertThatThrownBy(() -> h.server = CarrotServer.start(
              ServerConfig.parse(h.yaml, "test.yaml", dir), TestRouters.tiny(), h.env::get, h.clock))
          .hasMessageContaining("the decision log has schema version 7, newer than this carrot knows (2)");
      h.server = CarrotServer.start(ServerConfig.parse(h.yaml.replace("log.db", "other.db"), "test.yaml", dir), TestRouters.tiny(), h.env::get, h.clock);
    }
  }

  @Test
  void appendedEntriesAreStoredOnClose() throws Exception {
    Path db = dir.resolve("many.db");
    ServerConfig.LogConfig lc = new ServerConfig.LogConfig(ServerConfig.sqliteUrl(db), null, null, true);
    int n = 3000;
    try (DecisionLog log = DecisionLog.open(lc, k -> null)) {
      for (int i = 0; i < n; i++) {
        io.carrot.server.log.LogEntry.Builder b = new io.carrot.server.log.LogEntry.Builder();
        b.requestId = "req_" + i;
        b.day = "2026-01-01";
        b.endpoint = "chat";
        b.status = 200;
        log.append(b.build());
      }
    }
    try (DecisionLog log = DecisionLog.open(lc, k -> null)) {
      assertThat(LogRows.all(log)).hasSize(n);
    }
  }

  @Test
  void gradedTrafficExportsAsADatasetThatReadsBack() throws Exception {
    Path out = dir.resolve("export");
    try (Harness h = Harness.start(dir, "")) {
      // p1 answered by strong, mid and cheap; p2 by strong only
      for (String mu : new String[] {"0", "0.5", "1", "0"}) {
        String id = h.post("/v1/chat/completions", Harness.chat("carrot:mu=" + mu, "p1", false), null)
            .headers().firstValue("x-carrot-request-id").orElseThrow();
        h.post("/v1/feedback", feedback(id, mu.equals("1") ? 0.0 : mu.equals("0.5") ? 0.5 : 1.0), null);
      }
      String id2 = h.post("/v1/chat/completions", Harness.chat("carrot:mu=0", "p2", false), null)
          .headers().firstValue("x-carrot-request-id").orElseThrow();
      h.post("/v1/feedback", feedback(id2, 0.25), null);
      // an ungraded request is not exported
      h.post("/v1/chat/completions", Harness.chat("carrot:mu=0", "p3", false), null);

      LogExport.Result r = LogExport.export(h.server.log(), out, LogExport.Options.defaults());
      assertThat(r.gradedRequests()).isEqualTo(5);
      assertThat(r.prompts()).isEqualTo(1);
      assertThat(r.incomplete()).isEqualTo(1);
      assertThat(r.models()).containsExactly("cheap", "mid", "strong");

      Dataset d = DatasetReader.read(out);
      assertThat(d.models()).containsExactly("cheap", "mid", "strong");
      PromptRecord p = d.prompts().get(0);
      assertThat(p.prompt()).isEqualTo("p1");
      assertThat(p.scores()).containsExactly(0.0, 0.5, 1.0);
      assertThat(p.inputTokens()).containsExactly(11, 11, 11);
      assertThat(p.outputTokens()).containsExactly(7, 7, 7);
      assertThat(p.cost()[2]).isCloseTo((11 * 10 + 7 * 40) / 1e6, within(1e-15));
      assertThat(d.prices().price("mid").outputPerMtok()).isEqualTo(8.0);
      assertThat(d.rows(Split.TRAIN)).hasSize(1);
      assertThat(Files.readString(out.resolve("README.md"))).contains("graded requests read: 5");

      assertThatThrownBy(() -> LogExport.export(h.server.log(), out, LogExport.Options.defaults()))
          .hasMessageContaining("already holds a dataset");
      LogExport.Result partial = LogExport.export(h.server.log(), out, new LogExport.Options(null, null, true, 42, 0, 0, true));
      assertThat(partial.prompts()).isEqualTo(2);
      LogExport.Result strongOnly = LogExport.export(h.server.log(), out, new LogExport.Options(null, List.of("strong"), false, 42, 0, 0, true));
      assertThat(strongOnly.prompts()).isEqualTo(2);
      Dataset s = DatasetReader.read(out);
      assertThat(s.prompts()).extracting(PromptRecord::prompt).containsExactly("p1", "p2");
      assertThat(s.prompts().get(1).scores()).containsExactly(0.25);
    }
  }
}
