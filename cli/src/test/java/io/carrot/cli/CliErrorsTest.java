package io.carrot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.carrot.core.CarrotException;
import io.carrot.core.files.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What a user sees when something is wrong: one line, naming the file, no library internals. */
class CliErrorsTest {
  @TempDir Path tmp;

  private static CliTest.Run run(String... args) {
    return CliTest.run(args);
  }

  @Test
  void everyHelpPageFormatsWithoutPicocliWarnings() {
    // picocli reports a description it cannot format (a lone '%') on System.err, not on the CLI's err
    PrintStream old = System.err;
    ByteArrayOutputStream sysErr = new ByteArrayOutputStream();
    System.setErr(new PrintStream(sysErr, true, StandardCharsets.UTF_8));
    StringBuilder pages = new StringBuilder();
    try {
      helpOf(new CommandLine(new Main()), pages);
    } finally {
      System.setErr(old);
    }
    assertThat(sysErr.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(pages).contains("10/20/30% of its").contains("closing 90% of the");
  }

  private static void helpOf(CommandLine cl, StringBuilder pages) {
    pages.append(cl.getUsageMessage());
    cl.getSubcommands().values().forEach(sub -> helpOf(sub, pages));
  }

  @Test
  void benchRefusesARouteEmbedderOfAnotherDimension() {
    CliTest.Run r = run("bench", "--route-only", "--route-embedder", "fast", "--out", tmp.resolve("b.csv").toString());
    assertThat(r.code()).isNotZero();
    assertThat(r.err()).startsWith("carrot: error: --route-embedder: static-minilm-")
        .contains(" dimensions; expected 384 like the default router's all-minilm-l6-v2-q/head-tail-256")
        .doesNotContain("\tat ");
    assertThat(tmp.resolve("b.csv")).doesNotExist();
  }

  @Test
  void jacksonParseErrorsLoseTheirSourceLineButKeepTheirPosition() {
    String jackson;
    try {
      Json.MAPPER.readTree("{\"a\": tru}");
      throw new AssertionError("parsed");
    } catch (java.io.IOException e) {
      jackson = e.getMessage();
    }
    assertThat(jackson).contains("\n at [Source: ");
    String line = Main.oneLine("prices.json: not JSON: " + jackson);
    assertThat(line).startsWith("prices.json: not JSON: Unrecognized token 'tru'")
        .endsWith("(line: 1, column: 10)")
        .doesNotContain("Source").doesNotContain("\n");
    assertThat(Main.oneLine("two\n  lines")).isEqualTo("two lines");
  }

  @Test
  void aCarrotErrorQuotingJacksonIsPrintedOnOneLine() throws Exception {
    Path prices = tmp.resolve("prices.json");
    Files.writeString(prices, "{\"m\": {\"input_per_mtok\": 1,, }}");
    Path csv = tmp.resolve("rb.csv");
    Files.writeString(csv, "sample_id,prompt,eval_name,m,m|model_response,m|total_cost\n1,['p'],e,1,['a'],0.1\n");
    CliTest.Run r = run("import", "routerbench", "--in", csv.toString(), "--out", tmp.resolve("out").toString(), "--prices", prices.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("carrot: error: ").doesNotContain("[Source:");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void aRouterBenchCsvCutOffMidRowFailsNamingFileAndRow() throws Exception {
    Path csv = tmp.resolve("cut.csv");
    Files.writeString(csv, "sample_id,prompt,eval_name,claude-v1,claude-v1|model_response,claude-v1|total_cost\n"
        + "1,['p1'],e,1,['a'],0.1\n2,['p2'],e,0,['b'],0.1\n3,\"['a prompt cut");
    CliTest.Run r = run("import", "routerbench", "--in", csv.toString(), "--out", tmp.resolve("out").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("carrot: error: " + csv + " row 3: ");
    assertThat(tmp.resolve("out")).doesNotExist();
  }

  @Test
  void internalErrorsAreOneLineToo() {
    assertThat(Main.oneLine(String.valueOf(new CarrotException("a\nb")))).isEqualTo("io.carrot.core.CarrotException: a b");
  }
}
