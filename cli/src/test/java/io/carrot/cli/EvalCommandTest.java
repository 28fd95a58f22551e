package io.carrot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import io.carrot.core.files.FloatArrays;
import io.carrot.core.files.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code carrot eval} on datasets written by the test, with precomputed embeddings (no ONNX): strong S
 * is always right ($0.01 a prompt), W right on cluster A only ($0.001), B never ($0.0001); clusters
 * are two orthogonal embedding directions, so CARROT-KNN routes like the oracle and matches S's
 * quality at 55% of its cost.
 */
class EvalCommandTest {
  @TempDir static Path tmp;
  static Path root;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  @BeforeAll
  static void writeDatasets() throws IOException {
    root = tmp.resolve("data");
    write(root.resolve("alpha"), 40, 20, 20);
    write(root.resolve("beta"), 30, 10, 10);
    write(tmp.resolve("notest"), 30, 10, 0);
  }

  static void write(Path dir, int train, int validation, int test) throws IOException {
    write(dir, train, validation, test, false);
  }

  /**
   * With {@code inputOnly}: 100 input tokens and no output tokens per prompt at input prices S 100,
   * W 30, B 20 per million, so nothing costs less than $0.002 and 10% of S's cost is unreachable.
   */
  static void write(Path dir, int train, int validation, int test, boolean inputOnly) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("models.json"), inputOnly ? """
        {"S": {"input_per_mtok": 100, "output_per_mtok": 0},
         "W": {"input_per_mtok": 30, "output_per_mtok": 0},
         "B": {"input_per_mtok": 20, "output_per_mtok": 0}}""" : """
        {"S": {"input_per_mtok": 0, "output_per_mtok": 100},
         "W": {"input_per_mtok": 0, "output_per_mtok": 10},
         "B": {"input_per_mtok": 0, "output_per_mtok": 1}}""");
    int inTokens = inputOnly ? 100 : 0;
    int outTokens = inputOnly ? 0 : 100;
    List<String> lines = new ArrayList<>();
    Map<String, List<String>> split = new LinkedHashMap<>();
    List<String> ids = new ArrayList<>();
    List<float[]> vectors = new ArrayList<>();
    int[] sizes = {train, validation, test};
    String[] names = {"train", "validation", "test"};
    for (int s = 0; s < 3; s++) {
      List<String> part = new ArrayList<>();
      for (int i = 0; i < sizes[s]; i++) {
        boolean a = i % 2 == 0;
        String id = names[s] + i;
        lines.add(Json.COMPACT.writeValueAsString(Map.of(
            "id", id, "prompt", "prompt " + id, "source", a ? "A" : "B",
            "scores", Map.of("S", 1, "W", a ? 1 : 0, "B", 0),
            "input_tokens", Map.of("S", inTokens, "W", inTokens, "B", inTokens),
            "output_tokens", Map.of("S", outTokens, "W", outTokens, "B", outTokens))));
        part.add(id);
        ids.add(id);
        float[] v = new float[4];
        v[a ? 0 : 1] = 1;
        v[2 + i % 2] = 0.01f * (i % 7);
        vectors.add(v);
      }
      split.put(names[s], part);
    }
    Files.write(dir.resolve("prompts.jsonl"), lines);
    Files.writeString(dir.resolve("split.json"), Json.COMPACT.writeValueAsString(split));
    Files.createDirectories(tmp.resolve("emb"));
    FloatArrays.writeMatrix(tmp.resolve("emb").resolve(dir.getFileName() + ".f32"), ids, vectors.toArray(float[][]::new));
  }

  static String emb(String dataset) {
    return tmp.resolve("emb").resolve(dataset + ".f32").toString();
  }

  @Test
  void inputOnlyCostsPassTheSanityChecksWithUnreachableBudgetsAsNa() throws IOException {
    write(tmp.resolve("inputonly"), 40, 20, 20, true);
    Run r = run("eval", "--data", tmp.resolve("inputonly").toString(), "--embeddings", emb("inputonly"), "--estimator", "knn", "--k", "4",
        "--mu-grid", "100", "--bootstrap", "20");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).doesNotContain("SANITY");
    assertThat(r.out()).contains("output-token MAE: n/a (no output tokens to predict)")
        .contains("keeps this share of its quality: n/a (below its cheapest setting) at 10%");
    // Q@10% is n/a for every router, the oracle included
    assertThat(r.out()).contains("  oracle          0.6944  0.8281  0.8281     65.0%     n/a  0.0000  0.5625   1.0000");
  }

  @Test
  void compareEmbeddersFitsEachOnTheSameFolds() throws IOException {
    Path out = tmp.resolve("out-emb");
    Run r = run("eval", "--data", root.resolve("alpha").toString(), "--embeddings", emb("alpha"), "--estimator", "knn", "--k", "4",
        "--mu-grid", "50", "--bootstrap", "20", "--folds", "4", "--compare-embedders", "fast", "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode routers = Json.MAPPER.readTree(out.resolve("metrics.json").toFile()).get("cross_validation").get("routers");
    assertThat(routers.has("carrot-knn@fast")).isTrue();
    assertThat(Files.readString(out.resolve("report.md"))).contains("Embedders compared on the same folds").contains("| fast | ");
  }

  @Test
  void foldsAndHeldOutSourcesAddPairedComparisons() throws IOException {
    Path out = tmp.resolve("out-cv");
    Run r = run("eval", "--data", root.resolve("alpha").toString(), "--embeddings", emb("alpha"), "--estimator", "knn", "--k", "4",
        "--mu-grid", "100", "--bootstrap", "50", "--folds", "4", "--leave-out-source", "all", "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    // pooled over 4 folds of all 80 prompts CARROT-KNN routes like the oracle; S is always right, so accuracy ties
    assertThat(r.out()).contains("pooled folds (80 prompts): carrot-knn AIQ 0.8409, accuracy at mu = 0 1.0000 (best-on-train 1.0000,"
        + " difference +0.0000 [0.0000, 0.0000] within noise); AIQ minus carrot-knn+fallback +")
        .contains("; best-on-train +0.8409")
        .contains("held out A (40 prompts): carrot-knn AIQ").contains("held out B (40 prompts)");
    JsonNode m = Json.MAPPER.readTree(out.resolve("metrics.json").toFile());
    JsonNode cv = m.get("cross_validation");
    assertThat(cv.get("n_test").asInt()).isEqualTo(80);
    assertThat(cv.get("routers").get("carrot-knn").get("accuracy_mu0").asDouble()).isEqualTo(1.0);
    JsonNode pair = null;
    for (JsonNode p : cv.get("paired_differences")) {
      if (p.get("router").asText().equals("carrot-knn") && p.get("minus").asText().equals("zero-router") && p.get("metric").asText().equals("aiq")) {
        pair = p;
      }
    }
    assertThat(pair).isNotNull();
    assertThat(pair.get("excludes_zero").asBoolean()).isTrue();
    assertThat(pair.get("ci95").get(0).asDouble()).isPositive();
    assertThat(m.get("leave_one_source_out")).extracting(n -> n.get("name").asText()).containsExactly("A", "B");
    String md = Files.readString(out.resolve("report.md"));
    assertThat(md).contains("## K-fold cross-evaluation").contains("## Leave one source out").contains("| A | 40 | ");
    assertThat(run("eval", "--data", root.resolve("alpha").toString(), "--compare-embedders", "fast").err().strip())
        .isEqualTo("carrot: error: --compare-embedders compares embedders on the folds of --folds K; add --folds (e.g. --folds 5)");
    assertThat(run("eval", "--data", root.resolve("alpha").toString(), "--folds", "3", "--router", "x.carrot").err().strip())
        .isEqualTo("carrot: error: --folds and --leave-out-source fit routers on other prompts; they do not take --router");
    assertThat(run("eval", "--data", root.resolve("alpha").toString(), "--embeddings", emb("alpha"), "--leave-out-source", "C").err())
        .contains("--leave-out-source C: dataset 'alpha' has no such source group; its groups (one group per source) are [A, B]");
  }

  @Test
  void evalWritesEveryOutputWithKnownNumbers() throws IOException {
    Path out = tmp.resolve("out-alpha");
    Run r = run("eval", "--data", root.resolve("alpha").toString(), "--embeddings", emb("alpha"), "--estimator", "knn", "--k", "4", "--mu-grid", "100",
        "--bootstrap", "30", "--target-cost", "0.0005", "--out", out.toString(), "--frontier", tmp.resolve("carrot.csv").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("carrot-knn at mu = 0                 1.0000   5.5000e-03");
    assertThat(r.out()).contains("best single: S                       1.0000   1.0000e-02");
    assertThat(r.out()).contains("carrot-knn matches S's quality at 55.0% [");
    // validation offers $1e-4, $5.5e-4 and $5.5e-3: 5.5e-4 is closest to the target; test agrees
    assertThat(r.out()).contains("target cost 5.0000e-04: mu = 0.").contains("test cost 5.5000e-04 (+10.0%), quality 0.5000");
    // exact 0/1 predictions; every prompt clears every floor (S is predicted 1); mu = 0 spends 5.5 per 1000 on test too
    assertThat(r.out()).contains("calibration ECE (test): router: all pairs 0.0000, chosen at mu = 0 0.0000")
        .contains("--min-quality (floor -> realized quality where cleared): 0.50 -> 1.0000 (100% cleared, kept)")
        .contains("--budget (USD per 1000 -> test spend error; paced stream over random orders): 0.165 -> ");
    for (String f : List.of("metrics.json", "frontier.csv", "report.md", "frontier.png", "selection.png", "quality-at-cost.png", "calibration.png")) {
      assertThat(out.resolve(f)).isNotEmptyFile();
    }
    JsonNode m = Json.MAPPER.readTree(out.resolve("metrics.json").toFile());
    assertThat(m.get("routers").get("carrot-knn").get("cost_fraction_to_match_best").asDouble()).isCloseTo(0.55, offset(1e-12));
    assertThat(m.get("deployment").get("test_cost").asDouble()).isCloseTo(0.00055, offset(1e-15));
    assertThat(m.get("embedder").asText()).isEqualTo("precomputed:alpha.f32");
    // --frontier keeps its format: CARROT only, one row per mu
    List<String> csv = Files.readAllLines(tmp.resolve("carrot.csv"));
    assertThat(csv).hasSize(102).first().isEqualTo("router,mu,mean_cost_usd,mean_quality");
    assertThat(csv.get(1)).isEqualTo("carrot-knn,0.0000,0.00550000000,1.000000");
  }

  @Test
  void allEvaluatesEveryDatasetAndWritesResults() throws IOException {
    Path out = tmp.resolve("docs").resolve("results");
    Run r = run("eval", "--all", "--data-root", root.toString(), "--embeddings-dir", tmp.resolve("emb").toString(), "--k", "4",
        "--mu-grid", "50", "--bootstrap", "0", "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("dataset alpha:").contains("dataset beta:").contains("evaluated 2 datasets");
    // the default estimator is auto, picked per dataset on validation
    assertThat(r.out()).contains("20 test prompts, 3 models, CARROT with the auto estimator (a ");
    assertThat(out.resolve("alpha").resolve("metrics.json")).isNotEmptyFile();
    assertThat(out.resolve("beta").resolve("frontier.png")).isNotEmptyFile();
    String md = Files.readString(tmp.resolve("docs").resolve("RESULTS.md"));
    assertThat(md).contains("## alpha").contains("## beta").contains("![beta frontier](results/beta/frontier.png)");
    assertThat(md).contains("Generated by `carrot eval --all --data-root");
  }

  @Test
  void badInputGetsOneClearLine() throws IOException {
    String alpha = root.resolve("alpha").toString();
    Run one = run("eval", "--data", alpha, "--embeddings", emb("alpha"), "--models", "S");
    assertThat(one.code()).isEqualTo(1);
    assertThat(one.err().strip()).isEqualTo("carrot: error: dataset 'alpha' has 1 model [S]; routing needs at least 2 models");

    Run empty = run("eval", "--data", tmp.resolve("notest").toString(), "--embeddings", emb("notest"));
    assertThat(empty.code()).isEqualTo(1);
    assertThat(empty.err().strip()).isEqualTo(
        "carrot: error: dataset 'notest' has an empty test split; split.json must list test ids");

    Path router = tmp.resolve("alpha.carrot");
    Run train = run("train", "--data", alpha, "--embeddings", emb("alpha"), "--k", "4", "--out", router.toString());
    assertThat(train.code()).as(train.err()).isZero();
    Run mismatch = run("eval", "--data", alpha, "--embeddings", emb("alpha"), "--router", router.toString(), "--models", "S,W");
    assertThat(mismatch.code()).isEqualTo(1);
    assertThat(mismatch.err().strip()).isEqualTo("carrot: error: the router was trained on models [S, W, B] but dataset 'alpha' "
        + "lacks [B]; evaluate it on a dataset that has every one of its models");
    Run ok = run("eval", "--data", alpha, "--embeddings", emb("alpha"), "--router", router.toString(), "--bootstrap", "0");
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("carrot-knn at mu = 0                 1.0000");

    assertThat(run("eval", "--data", alpha, "--mu-grid", "0").err().strip()).isEqualTo("carrot: error: --mu-grid must be >= 1, got 0");
    assertThat(run("eval", "--data", alpha, "--target-cost", "-2").err().strip())
        .isEqualTo("carrot: error: --target-cost must be a number of USD per prompt > 0, got -2.0");
    assertThat(run("eval", "--data", alpha, "--embeddings", emb("alpha"), "--estimator", "forest").err().strip())
        .startsWith("carrot: error: unknown estimator 'forest'; expected one of [knn");
    assertThat(run("eval", "--all").err().strip()).isEqualTo("carrot: error: --all needs --out DIR for the per-dataset folders");
    assertThat(run("eval").err().strip())
        .isEqualTo("carrot: error: --data DIR is required (or --all to evaluate every dataset under --data-root)");
    Run noEmb = run("eval", "--all", "--data-root", root.toString(), "--embeddings-dir", tmp.toString(), "--out", tmp.resolve("x").toString());
    assertThat(noEmb.code()).isEqualTo(1);
    assertThat(noEmb.err()).contains("has no alpha.f32 for dataset alpha; write it with: carrot embed --data");
  }
}
