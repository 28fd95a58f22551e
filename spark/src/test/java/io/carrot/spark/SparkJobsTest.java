package io.carrot.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.carrot.core.curve.EvalSet;
import io.carrot.core.curve.RouterSweep;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.DatasetReader;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.core.io.RouterFile;
import io.carrot.core.predict.knn.KnnTrainer;
import io.carrot.core.route.Decision;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.route.Router;
import io.carrot.core.train.RouterTrainer;
import io.carrot.embed.Cl100kTokenCounter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spark jobs on a real local[2] session, checked against the single-JVM router row by row. */
class SparkJobsTest {
  static SparkSession spark;
  static Router router;
  static byte[] routerBytes;
  @TempDir static Path tmp;

  @BeforeAll
  static void start() throws Exception {
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("carrot-test")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate();
    router = Synthetic.router(7, 3000, 16, 5, 16);
    Path f = tmp.resolve("synthetic.carrot");
    RouterFile.save(router, f);
    routerBytes = Files.readAllBytes(f);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static void assertSame(Row row, Decision want) {
    assertThat(row.getString(2)).isEqualTo(want.model());
    assertThat(row.getDouble(3)).isEqualTo(want.chosen().quality());
    assertThat(row.getDouble(4)).isEqualTo(want.chosen().outputTokens());
    assertThat(row.getDouble(5)).isEqualTo(want.chosen().costUsd());
  }

  @Test
  void routesF32EmbeddingsAtSeveralMuExactlyLikeTheSingleJvmRouter() {
    Path f32 = tmp.resolve("prompts.f32");
    Synthetic.writePrompts(f32, 99, 2000, 16);
    float[][] x = Synthetic.vectors(99, 2000, 16);
    List<Double> mus = List.of(0.0, 0.3, 1.0);
    List<Row> rows = RouteJob.route(spark, Inputs.read(spark, f32.toString(), 4), routerBytes, new RouteJob.Options(mus, null, 250)).collectAsList();
    assertThat(rows).hasSize(6000);
    Map<String, Integer> models = new HashMap<>();
    for (Row r : rows) {
      int i = Integer.parseInt(r.getString(0).substring(1));
      double mu = r.getDouble(1);
      assertThat(r.getDouble(6)).isEqualTo(250.0);
      assertSame(r, router.route(x[i], 250, RouteOptions.mu(mu)));
      if (mu == 0.3) {
        models.merge(r.getString(2), 1, Integer::sum);
      }
    }
    // the synthetic router really trades off: more than one model is chosen at mu = 0.3
    assertThat(models.size()).isGreaterThan(1);
  }

  @Test
  void routesParquetEmbeddingsWithTheirInputTokens() {
    float[][] x = Synthetic.vectors(5, 300, 16);
    List<Row> in = new ArrayList<>();
    for (int i = 0; i < x.length; i++) {
      in.add(RowFactory.create("q" + i, null, x[i], (double) (10 * i)));
    }
    String dir = tmp.resolve("emb.parquet").toString();
    spark.createDataFrame(in, Inputs.SCHEMA).select("id", "embedding", "input_tokens").write().parquet(dir);
    List<Row> rows = RouteJob.route(spark, Inputs.read(spark, dir, 3), routerBytes, new RouteJob.Options(List.of(0.05), null, 0)).collectAsList();
    assertThat(rows).hasSize(300);
    for (Row r : rows) {
      int i = Integer.parseInt(r.getString(0).substring(1));
      assertThat(r.getDouble(6)).isEqualTo(10.0 * i);
      assertSame(r, router.route(x[i], 10 * i, RouteOptions.mu(0.05)));
    }
  }

  @Test
  void embedsJsonlPromptsOnTheExecutorsAndCountsTheirTokens() throws Exception {
    Router hashRouter = trainOnRouterbench(hashEmbeddings(routerbench().requireRows(Split.TRAIN)));
    Path rf = tmp.resolve("hash.carrot");
    RouterFile.save(hashRouter, rf);
    List<PromptRecord> test = routerbench().requireRows(Split.TEST).subList(0, 120);
    StringBuilder jsonl = new StringBuilder();
    for (PromptRecord p : test) {
      jsonl.append(io.carrot.core.files.Json.COMPACT.writeValueAsString(Map.of("id", p.id(), "prompt", p.prompt()))).append('\n');
    }
    Path file = tmp.resolve("prompts.jsonl");
    Files.writeString(file, jsonl);
    List<Row> rows =
        RouteJob.route(spark, Inputs.read(spark, file.toString(), 2), Files.readAllBytes(rf), new RouteJob.Options(List.of(0.0, 0.5), null, 0))
            .collectAsList();
    assertThat(rows).hasSize(240);
    Map<String, String> prompts = new HashMap<>();
    test.forEach(p -> prompts.put(p.id(), p.prompt()));
    Cl100kTokenCounter counter = new Cl100kTokenCounter();
    for (Row r : rows) {
      String prompt = prompts.get(r.getString(0));
      int tokens = counter.count(prompt);
      assertThat(r.getDouble(6)).isEqualTo(tokens);
      assertSame(r, hashRouter.route(HashEmbedder.vector(prompt), tokens, RouteOptions.mu(r.getDouble(1))));
    }
  }

  @Test
  void checkTakesTheJsonlPromptsRouteTookAndFindsNoDifference() throws Exception {
    // without a support section every cost follows the prompt's own input tokens (a prompt at fallback
    // weight 0 is priced at the training mean, whatever its length), so the second run below differs on every row
    Router hashRouter = trainOnRouterbench(hashEmbeddings(routerbench().requireRows(Split.TRAIN))).withSupport(null);
    Path rf = tmp.resolve("check-hash.carrot");
    RouterFile.save(hashRouter, rf);
    StringBuilder jsonl = new StringBuilder();
    for (PromptRecord p : routerbench().requireRows(Split.TEST).subList(0, 60)) {
      jsonl.append(io.carrot.core.files.Json.COMPACT.writeValueAsString(Map.of("id", p.id(), "prompt", p.prompt()))).append('\n');
    }
    Path file = tmp.resolve("check-prompts.jsonl");
    Files.writeString(file, jsonl);
    Path out = tmp.resolve("check-out");
    RouteJob.route(spark, Inputs.read(spark, file.toString(), 2), Files.readAllBytes(rf), new RouteJob.Options(List.of(0.0, 0.3), null, 0))
        .write().parquet(out.toString());
    assertThat(runCapturingOut("check", "--router", rf.toString(), "--input", file.toString(), "--out", out.toString(), "--sample", "25"))
        .isEqualTo("0 {\"prompts_checked\":25,\"rows_checked\":50,\"rows_different\":0,\"search\":\"exact\"}");
    // a job run with other input tokens differs on every row's cost, and check says so (exit 4)
    Path other = tmp.resolve("check-out-other");
    RouteJob.route(spark, Inputs.read(spark, file.toString(), 2).withColumn("input_tokens", org.apache.spark.sql.functions.lit(5000.0)),
            Files.readAllBytes(rf), new RouteJob.Options(List.of(0.0, 0.3), null, 0))
        .write().parquet(other.toString());
    assertThat(runCapturingOut("check", "--router", rf.toString(), "--input", file.toString(), "--out", other.toString(), "--sample", "25"))
        .isEqualTo("4 {\"prompts_checked\":25,\"rows_checked\":50,\"rows_different\":50,\"search\":\"exact\"}");
  }

  /** Runs SparkMain; returns its exit code, a space and its standard output (trimmed). */
  private static String runCapturingOut(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = SparkMain.run(args);
    } finally {
      System.setOut(old);
    }
    return code + " " + out.toString(StandardCharsets.UTF_8).trim();
  }

  @Test
  void evaluationEqualsRouterSweepBitForBitWhateverThePartitioning() {
    Dataset data = routerbench();
    Router r = trainOnRouterbench(hashEmbeddings(data.requireRows(Split.TRAIN)));
    List<PromptRecord> test = data.requireRows(Split.TEST);
    float[][] emb = hashEmbeddings(test);
    RouterSweep sweep = new RouterSweep(EvalSet.of(data, test), r, r.predictor().predictAll(emb));
    byte[] bytes = bytesOf(r);
    // embedded on the executors with the router's own embedder, 3 partitions
    EvalJob.Result a = EvalJob.evaluate(spark, data, Split.TEST, bytes, null, null, 200, 3);
    // precomputed vectors, 7 partitions
    EvalJob.Result b = EvalJob.evaluate(spark, data, Split.TEST, bytes, emb, null, 200, 7);
    assertThat(a.frontier()).isEqualTo(sweep.frontier(200));
    assertThat(b.frontier()).isEqualTo(sweep.frontier(200));
    assertThat(a.outputTokenMae()).isEqualTo(sweep.outputTokenMae());
    assertThat(b.metrics().asMap()).isEqualTo(a.metrics().asMap());
    assertThat(a.prompts()).isEqualTo(945);
    // the frontier is not trivial: cheaper at mu = 1 than at mu = 0
    assertThat(a.frontier().get(200).cost()).isLessThan(a.frontier().get(0).cost());
  }

  @Test
  void cliReportsBadInputAsOneLineAndExitsOne() {
    PrintStream old = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int code;
    int code2;
    try {
      code = SparkMain.run("route", "--router", tmp.resolve("missing.carrot").toString(), "--input", "x.f32", "--mu", "0.1", "--out", "o");
      code2 = SparkMain.run("route", "--router", "r", "--input", "x.f32", "--mu", "1.5", "--out", "o");
    } finally {
      System.setErr(old);
    }
    assertThat(code).isEqualTo(1);
    assertThat(code2).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("carrot: error: router file " + tmp.resolve("missing.carrot") + " does not exist")
        .contains("carrot: error: mu must be in [0, 1], got 1.5")
        .doesNotContain("\tat ");
  }

  @Test
  void cliRouteWritesParquetAndItsSummary() throws Exception {
    Path f32 = tmp.resolve("cli.f32");
    Synthetic.writePrompts(f32, 3, 500, 16);
    Path rf = tmp.resolve("cli.carrot");
    Files.write(rf, routerBytes);
    PrintStream old = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = SparkMain.run("route", "--router", rf.toString(), "--input", f32.toString(), "--mu", "0,0.2", "--out", tmp.resolve("cli-out").toString());
    } finally {
      System.setOut(old);
    }
    assertThat(code).isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"prompts\":500,\"mu_values\":2,\"rows\":1000");
    assertThat(spark.read().parquet(tmp.resolve("cli-out").toString()).count()).isEqualTo(1000);
    assertThat(spark.sparkContext().isStopped()).isFalse(); // the job left the caller's session running
    out.reset();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      code = SparkMain.run("check", "--router", rf.toString(), "--input", f32.toString(), "--out", tmp.resolve("cli-out").toString(), "--sample", "100");
    } finally {
      System.setOut(old);
    }
    assertThat(code).isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("{\"prompts_checked\":100,\"rows_checked\":200,\"rows_different\":0,\"search\":\"exact\"}");
  }

  private static Dataset routerbench() {
    return DatasetReader.read(Path.of("../data/routerbench_subset"));
  }

  private static float[][] hashEmbeddings(List<PromptRecord> rows) {
    return rows.stream().map(p -> HashEmbedder.vector(p.prompt())).toArray(float[][]::new);
  }

  private static Router trainOnRouterbench(float[][] trainEmb) {
    Dataset data = routerbench();
    return RouterTrainer.train(data, data.requireRows(Split.TRAIN), trainEmb, KnnTrainer.fixed(16), HashEmbedder.NAME, "cl100k_base", Map.of(), x -> {});
  }

  private static byte[] bytesOf(Router r) {
    try {
      Path f = Files.createTempFile(tmp, "r", ".carrot");
      RouterFile.save(r, f);
      return Files.readAllBytes(f);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
