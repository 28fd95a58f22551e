package io.carrot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.DatasetReader;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.core.files.Json;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code carrot collect}, {@code import} and {@code export} through the command line: a collection
 * against a stub OpenAI-compatible server on a loopback port, stopped by the spend cap and resumed,
 * then exported to Parquet and imported back.
 */
class CollectCommandTest {
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  /** "cheap" answers every sum correctly; "sloppy" adds one. Counts paid answers per (model, prompt). */
  static HttpServer stub(Map<String, AtomicInteger> paid) throws Exception {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.createContext("/v1/chat/completions", ex -> {
      try (ex) {
        JsonNode req = Json.COMPACT.readTree(ex.getRequestBody().readAllBytes());
        String model = req.path("model").asText();
        String prompt = req.path("messages").get(0).path("content").asText();
        String[] w = prompt.split(" ");
        int sum = Integer.parseInt(w[2]) + Integer.parseInt(w[4].replace("?", ""));
        String text = "The answer is " + (model.equals("cheap") ? sum : sum + 1) + ".";
        ObjectNode o = Json.COMPACT.createObjectNode();
        o.putArray("choices").addObject().put("finish_reason", "stop").putObject("message").put("content", text);
        o.putObject("usage").put("prompt_tokens", 1000).put("completion_tokens", 500);
        byte[] body = Json.COMPACT.writeValueAsBytes(o);
        paid.computeIfAbsent(model + "|" + prompt, k -> new AtomicInteger()).incrementAndGet();
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream os = ex.getResponseBody()) {
          os.write(body);
        }
      }
    });
    s.start();
    return s;
  }

  @Test
  void collectStopsAtTheCapResumesAndTheDatasetRoundTripsThroughParquet() throws Exception {
    Map<String, AtomicInteger> paid = new ConcurrentHashMap<>();
    HttpServer server = stub(paid);
    try {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        lines.add("{\"id\": \"s" + i + "\", \"prompt\": \"What is " + i + " + " + (2 * i) + "?\", \"source\": \""
            + (i % 2 == 0 ? "even" : "odd") + "\", \"reference\": \"" + (3 * i) + "\"}");
      }
      Files.write(dir.resolve("prompts.jsonl"), lines);
      Files.writeString(dir.resolve("models.yaml"), """
          upstreams:
            stub: {base_url: "http://127.0.0.1:%d", concurrency: 2}
          models:
            - {name: cheap, upstream: stub, input_per_mtok: 1, output_per_mtok: 2, max_tokens: 500}
            - {name: sloppy, upstream: stub, input_per_mtok: 1, output_per_mtok: 2, max_tokens: 500}
          """.formatted(server.getAddress().getPort()));
      String[] base = {"collect", "--prompts", dir.resolve("prompts.jsonl").toString(), "--models",
          dir.resolve("models.yaml").toString(), "--out", dir.resolve("sums").toString(), "--concurrency", "1"};

      Run dry = run(concat(base, "--dry-run"));
      assertThat(dry.code()).isZero();
      assertThat(dry.err()).contains("cost estimate").contains("cheap").contains("total");
      assertThat(paid).isEmpty();

      // Each answer costs $0.002 (1000 + 500 tokens reported); a call starts only if its worst case
      // (~40 prompt tokens with margin + max_tokens 500: $0.00104) fits under the cap: after 14 answers
      // ($0.028) the 15th fits, after 15 ($0.030) none does.
      Run capped = run(concat(base, "--max-spend", "0.03"));
      assertThat(capped.code()).isEqualTo(1);
      assertThat(capped.err()).contains("carrot: error: --max-spend 0.03: the next call could cross the spend cap")
          .contains("rerun with a higher --max-spend to continue").doesNotContain("Exception");
      int paidFirst = paid.values().stream().mapToInt(AtomicInteger::get).sum();
      assertThat(paidFirst).isEqualTo(15);
      assertThat(dir.resolve("sums")).doesNotExist();

      Run resumed = run(concat(base, "--max-spend", "1"));
      assertThat(resumed.code()).as(resumed.err()).isZero();
      assertThat(resumed.out()).contains("collected 60 of 60 prompt x model pairs done");
      assertThat(paid).hasSize(60).allSatisfy((k, v) -> assertThat(v.get()).as(k).isEqualTo(1));

      Dataset d = DatasetReader.read(dir.resolve("sums"));
      assertThat(d.prompts()).hasSize(30);
      assertThat(d.prompts()).allSatisfy(r -> assertThat(r.scores()).containsExactly(1.0, 0.0));
      assertThat(d.prompts().get(0).inputTokens()).containsExactly(1000, 1000);

      Path pq = dir.resolve("sums.parquet");
      Run exported = run("export", "parquet", "--data", dir.resolve("sums").toString(), "--out", pq.toString());
      assertThat(exported.code()).as(exported.err()).isZero();
      assertThat(exported.out()).contains("exported 30 prompts x 2 models of sums");
      Run imported = run("import", "sprout", "--in", pq.toString(), "--out", dir.resolve("again").toString());
      assertThat(imported.code()).as(imported.err()).isZero();
      assertThat(imported.out()).contains("imported 30 prompts x 2 models from sprout");
      Dataset again = DatasetReader.read(dir.resolve("again"));
      for (Split s : Split.values()) {
        assertThat(again.rows(s)).extracting(PromptRecord::id).containsExactlyElementsOf(d.rows(s).stream().map(PromptRecord::id).toList());
      }
      assertThat(Files.readAllBytes(dir.resolve("again/prompts.jsonl.gz"))).isEqualTo(Files.readAllBytes(dir.resolve("sums/prompts.jsonl.gz")));
    } finally {
      server.stop(0);
    }
  }

  @Test
  void badInputGetsAClearErrorAndNoStackTrace() throws Exception {
    Run unknown = run("import", "openrouter", "--in", "x", "--out", dir.resolve("o").toString());
    assertThat(unknown.code()).isEqualTo(1);
    assertThat(unknown.err()).isEqualTo("carrot: error: unknown import format 'openrouter'; expected one of [sprout, routerbench, routerdc, llmrouter]\n");

    Files.writeString(dir.resolve("t.json"), "[{\"question\": \"q\", \"scores\": {\"a\": 1}}]");
    Run noPrices = run("import", "routerdc", "--in", dir.resolve("t.json").toString(), "--out", dir.resolve("o").toString());
    assertThat(noPrices.err()).startsWith("carrot: error: RouterDC files carry no prices; pass --prices");

    Run missing = run("import", "sprout", "--in", dir.resolve("nope.parquet").toString(), "--out", dir.resolve("o").toString());
    assertThat(missing.err()).startsWith("carrot: error: --in " + dir.resolve("nope.parquet") + " does not exist; expected SPROUT Parquet");

    Run badFormat = run("export", "csv", "--data", dir.toString(), "--out", dir.resolve("x.csv").toString());
    assertThat(badFormat.err()).isEqualTo("carrot: error: export format 'csv'; expected parquet\n");

    Files.writeString(dir.resolve("p.jsonl"), "{\"prompt\": \"open question\"}\n");
    Files.writeString(dir.resolve("m.yaml"), "upstreams: {u: {base_url: http://127.0.0.1:9}}\nmodels:\n  - {name: a, upstream: u, input_per_mtok: 1, output_per_mtok: 1}\n");
    Run noJudge = run("collect", "--prompts", dir.resolve("p.jsonl").toString(), "--models", dir.resolve("m.yaml").toString(),
        "--out", dir.resolve("c").toString());
    assertThat(noJudge.err()).isEqualTo("carrot: error: prompt 'p1' has no reference answer, so it needs an LLM judge; pass --judge NAME\n");
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
