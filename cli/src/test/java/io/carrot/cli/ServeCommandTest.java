package io.carrot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.carrot.core.data.Dataset;
import io.carrot.core.data.DatasetReader;
import io.carrot.server.ServerConfig;
import io.carrot.server.auth.ClientKeys;
import io.carrot.server.log.DecisionLog;
import io.carrot.server.log.LogEntry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** carrot serve key, carrot log export and the serve command's input errors, without starting a server. */
class ServeCommandTest {
  @TempDir Path tmp;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void keyPrintsAKeyAndTheHashThatAdmitsIt() {
    Run r = run("serve", "key", "--id", "team-a", "--budget", "2.5");
    assertThat(r.code()).isZero();
    Matcher key = Pattern.compile("key: (ck-\\S+)").matcher(r.out());
    assertThat(key.find()).isTrue();
    assertThat(r.out()).contains("  - {id: team-a, key_sha256: " + ClientKeys.sha256(key.group(1)) + ", daily_budget_usd: 2.5}");
    // the printed entry is valid config
    String entry = r.out().lines().filter(l -> l.startsWith("  - {")).findFirst().orElseThrow();
    ServerConfig c = ServerConfig.parse("upstreams: {m: {base_url: 'http://h'}}\nclients:\n" + entry + "\n", "x.yaml", tmp);
    assertThat(c.clients().get(0).dailyBudgetUsd()).isEqualTo(2.5);
    assertThat(run("serve", "key", "--budget", "0").err()).contains("carrot: error: --budget must be a number of USD > 0, got 0.0");
  }

  @Test
  void serveNamesBadInput() throws Exception {
    assertThat(run("serve", "--port", "70000").err()).contains("carrot: error: --port must be in [0, 65535], got 70000");
    Path bad = tmp.resolve("carrot.yaml");
    Files.writeString(bad, "upstreams: {m: {base_url: 'ftp://x'}}\n");
    Run r = run("serve", "--config", bad.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("carrot: error: carrot.yaml: upstreams.m.base_url must be an http:// or https:// URL, got 'ftp://x'");
    assertThat(run("serve", "--config", tmp.resolve("nope.yaml").toString()).err()).contains("cannot read the server config");
  }

  @Test
  void logExportWritesAReadableDataset() {
    Path db = tmp.resolve("log.db");
    ServerConfig.LogConfig lc = new ServerConfig.LogConfig(ServerConfig.sqliteUrl(db), null, null, true);
    try (DecisionLog log = DecisionLog.open(lc, k -> null)) {
      String[][] rows = {{"r1", "a", "0.5"}, {"r2", "b", "1"}, {"r3", "a", "0"}};
      for (String[] row : rows) {
        LogEntry.Builder b = new LogEntry.Builder();
        b.requestId = row[0];
        b.day = "2026-01-02";
        b.createdAt = 1767312000000L;
        b.endpoint = "chat";
        b.status = 200;
        b.answeredModel = row[1];
        b.prompt = row[0].equals("r3") ? "other prompt" : "the prompt";
        b.promptSha256 = row[0].equals("r3") ? "f".repeat(64) : "e".repeat(64);
        b.actualInputTokens = 10L;
        b.actualOutputTokens = 20L;
        b.actualCostUsd = 0.001;
        b.priceInputPerMtok = 1.0;
        b.priceOutputPerMtok = 2.0;
        log.append(b.build());
        log.flush();
        log.feedback(row[0], Double.parseDouble(row[2]));
      }
    }
    Path out = tmp.resolve("ds");
    Run r = run("log", "export", "--db", db.toString(), "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("exported 1 prompts from 3 graded requests").contains("1 prompts were left out because some model had no grade; --partial keeps them");
    Dataset d = DatasetReader.read(out);
    assertThat(d.models()).containsExactly("a", "b");
    assertThat(d.prompts().get(0).scores()).containsExactly(0.5, 1.0);
    assertThat(run("log", "export", "--db", db.toString(), "--out", out.toString()).err()).contains("already holds a dataset");
    assertThat(run("log", "export", "--db", db.toString(), "--out", out.toString(), "--force", "--since", "2026-13-01").err())
        .contains("--since must be a date YYYY-MM-DD, got '2026-13-01'");
    assertThat(run("log", "export", "--db", db.toString(), "--out", out.toString(), "--force", "--since", "2026-02-01").err())
        .contains("has no graded requests since 2026-02-01");
    assertThat(run("log", "export", "--out", out.toString()).err()).contains("Error: Missing required argument");
  }
}
