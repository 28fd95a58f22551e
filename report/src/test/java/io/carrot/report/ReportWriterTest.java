package io.carrot.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import io.carrot.core.ProgressListener;
import io.carrot.core.eval.CrossEvaluation;
import io.carrot.core.eval.EvalOptions;
import io.carrot.core.eval.EvalReport;
import io.carrot.core.eval.EvaluationHarness;
import io.carrot.core.eval.SourceGroups;
import io.carrot.core.files.Json;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
  static EvalReport report;

  @BeforeAll
  static void evaluate() {
    report = TinyEval.report(50);
  }

  @Test
  void metricsJsonKeepsItsContract() {
    JsonNode m = Json.MAPPER.valueToTree(MetricsJson.of(report));
    assertThat(m.get("version").asInt()).isEqualTo(MetricsJson.VERSION);
    assertThat(m.get("dataset").asText()).isEqualTo("tiny");
    assertThat(m.get("n_test").isInt()).isTrue();
    assertThat(m.get("n_test").asInt()).isEqualTo(20);
    assertThat(m.get("best_single").get("model").asText()).isEqualTo("S");
    assertThat(m.get("best_single").get("quality").asDouble()).isEqualTo(1.0);
    assertThat(m.get("best_single").get("cost").asDouble()).isCloseTo(0.01, offset(1e-15));
    assertThat(m.get("oracle").get("quality").asDouble()).isEqualTo(1.0);
    assertThat(m.get("oracle").get("cost").asDouble()).isCloseTo(0.0055, offset(1e-15));
    JsonNode routers = m.get("routers");
    for (String name : List.of("carrot-knn", "zero-router", "static", "binary", "random", "oracle")) {
      JsonNode r = routers.get(name);
      assertThat(r).as(name).isNotNull();
      for (String k : List.of("auc", "aiq", "apgr")) {
        assertThat(r.get(k).isNumber()).as(name + "." + k).isTrue();
      }
      for (String k : List.of("cpt50", "cpt80", "cost_fraction_to_match_best", "accuracy_mu0")) {
        assertThat(r.get(k).isNumber() || r.get(k).isNull()).as(name + "." + k).isTrue();
      }
      assertThat(r.get("quality_at_cost_fraction").fieldNames()).toIterable().containsExactly("0.1", "0.2", "0.3");
    }
    JsonNode c = routers.get("carrot-knn");
    assertThat(c.get("cost_fraction_to_match_best").asDouble()).isCloseTo(0.55, offset(1e-12));
    assertThat(c.get("aiq").asDouble()).isCloseTo(0.008325 / 0.0099, offset(1e-12));
    assertThat(c.get("accuracy_mu0").asDouble()).isEqualTo(1.0);
    assertThat(routers.get("zero-router").get("accuracy_mu0").isNull()).isTrue();
    // budget 10% of S = $0.001: CARROT's hull (1e-4, 0) - (5.5e-4, .5) - (5.5e-3, 1) gives .5 + .5 * 4.5e-4 / 4.95e-3
    assertThat(c.get("quality_at_cost_fraction").get("0.1").asDouble()).isCloseTo(0.5 + 0.5 * 4.5e-4 / 4.95e-3, offset(1e-12));
    assertThat(c.get("ci95").get("aiq").size()).isEqualTo(2);
    assertThat(m.get("sanity").get("ok").asBoolean()).isTrue();
  }

  @Test
  void metricsJsonHasTheKnobsAndCalibration() {
    JsonNode m = Json.MAPPER.valueToTree(MetricsJson.of(report));
    // k-NN over clean clusters predicts every score exactly: 0 or 1, perfectly calibrated
    JsonNode cal = m.get("calibration");
    assertThat(cal.get("bins").asInt()).isEqualTo(10);
    JsonNode all = cal.get("router").get("all_pairs");
    assertThat(all.get("n").asInt()).isEqualTo(60);
    assertThat(all.get("ece").asDouble()).isEqualTo(0.0);
    assertThat(all.get("brier").asDouble()).isEqualTo(0.0);
    // S everywhere and W on cluster A predicted 1 (30 pairs); W on B and B everywhere predicted 0
    assertThat(all.get("reliability").get(9).get("count").asInt()).isEqualTo(30);
    assertThat(all.get("reliability").get(0).get("count").asInt()).isEqualTo(30);
    assertThat(all.get("reliability").get(5).get("mean_predicted").isNull()).isTrue();
    assertThat(cal.get("router").get("chosen_mu0").get("mean_observed").asDouble()).isEqualTo(1.0);
    assertThat(cal.get("router").get("per_model").fieldNames()).toIterable().containsExactly("S", "W", "B");
    assertThat(cal.has("uncalibrated")).isFalse();

    // validation and test have the same structure: spend 5.5 at mu = 0, 0.55 (A -> W, B -> B), 0.1 (all B) per 1000
    JsonNode b = m.get("budget_knob");
    assertThat(b.get("curve_source").asText()).isEqualTo("validation split");
    assertThat(b.get("curve_min_usd_per_1000").asDouble()).isCloseTo(0.1, offset(1e-12));
    assertThat(b.get("curve_max_usd_per_1000").asDouble()).isCloseTo(5.5, offset(1e-12));
    assertThat(b.get("targets")).hasSize(7);
    for (JsonNode t : b.get("targets")) {
      assertThat(t.get("test_expected_usd_per_1000").asDouble()).isCloseTo(t.get("target_usd_per_1000").asDouble(), offset(1e-9));
      assertThat(t.get("relative_error").asDouble())
          .isCloseTo(t.get("test_usd_per_1000").asDouble() / t.get("target_usd_per_1000").asDouble() - 1, offset(1e-12));
    }

    JsonNode floors = m.get("min_quality_knob");
    assertThat(floors).hasSize(5);
    JsonNode f = floors.get(3);
    assertThat(f.get("min_quality").asDouble()).isEqualTo(0.8);
    // S is predicted 1 everywhere: every prompt clears; cheapest that does: W on A, S on B
    assertThat(f.get("cleared_share").asDouble()).isEqualTo(1.0);
    assertThat(f.get("mean_realized_quality_cleared").asDouble()).isEqualTo(1.0);
    assertThat(f.get("mean_cost_all").asDouble()).isCloseTo(0.0055, offset(1e-15));
    assertThat(f.get("mean_realized_quality_cleared_ci95").get(0).asDouble()).isEqualTo(1.0);
  }

  @Test
  void frontierCsvListsSinglesThenEveryRouter() {
    List<String> lines = FrontierCsv.of(report).lines().toList();
    assertThat(lines.get(0)).isEqualTo("router,param,mean_cost_usd,mean_quality");
    assertThat(lines.get(1)).isEqualTo("single:S,,0.01000000000,1.00000000");
    assertThat(lines.get(4)).isEqualTo("carrot-knn,0.000000,0.005500000000,1.00000000");
    assertThat(lines).filteredOn(l -> l.startsWith("carrot-knn,")).hasSize(101);
    assertThat(lines).filteredOn(l -> l.startsWith("binary,")).first().asString().startsWith("binary,-0.010000,0.01000000000,");
    assertThat(lines).anyMatch(l -> l.startsWith("oracle,,"));
  }

  @Test
  void writesEveryFileAndThePlotsShowTheRouters(@TempDir Path dir) throws IOException {
    List<Path> files = ReportWriter.write(report, dir);
    assertThat(files).extracting(p -> p.getFileName().toString())
        .containsExactly("metrics.json", "frontier.csv", "report.md", "frontier.png", "selection.png", "quality-at-cost.png", "calibration.png");
    String md = Files.readString(dir.resolve("report.md"));
    assertThat(md).contains("carrot-knn matches S's quality at **55.0% [");
    assertThat(md).contains("| **carrot-knn** | ").contains("![frontier](frontier.png)").doesNotContain("SANITY CHECK FAILED");
    assertThat(md).contains("## Calibration of predicted quality").contains("| router: chosen model at mu = 0 | 20 | 0.0000 |")
        .contains("![reliability diagram](calibration.png)").contains("## Budget knob (`--budget`)")
        .contains("| 0.80 | 100.0% (20) | 1.0000 | 1.0000 [1.0000, 1.0000] | kept | 5.500e-03 | 5.500e-03 | 1.0000 |");
    BufferedImage rel = image(dir.resolve("calibration.png"));
    assertThat(rel.getWidth()).isEqualTo(900);
    // the router's all-pairs curve in CARROT's orange and the chosen-model curve in blue
    assertThat(count(rel, new Color(0xff7f0e))).isGreaterThan(200);
    assertThat(count(rel, new Color(0x1f77b4))).isGreaterThan(50);
    BufferedImage frontier = image(dir.resolve("frontier.png"));
    assertThat(frontier.getWidth()).isEqualTo(1100);
    assertThat(frontier.getHeight()).isEqualTo(750);
    // CARROT's orange line and the single models' red markers are drawn
    assertThat(count(frontier, new Color(0xff7f0e))).isGreaterThan(100);
    assertThat(count(frontier, new Color(0xd62728))).isGreaterThan(20);
    assertThat(count(image(dir.resolve("quality-at-cost.png")), new Color(0xff7f0e))).isGreaterThan(1000);
    // every prompt goes to B from mu = 0.92 on: 5 cells of the darkest brown (share 1)
    BufferedImage sel = image(dir.resolve("selection.png"));
    int dark = 0;
    for (int y = 0; y < sel.getHeight(); y++) {
      for (int x = 0; x < sel.getWidth(); x++) {
        Color c = new Color(sel.getRGB(x, y));
        dark += c.getRed() >= 0x70 && c.getRed() <= 0x90 && c.getGreen() < 0x40 && c.getBlue() < 0x20 ? 1 : 0;
      }
    }
    assertThat(dark).isGreaterThan(3000);
  }

  @Test
  void inputOnlyCostsPassTheSanityChecksAndUnreachableBudgetsAreNa(@TempDir Path dir) throws IOException {
    EvalReport r = TinyEval.inputOnlyReport(50);
    // the static router at its cheapest setting sends every prompt to B: exactly the oracle's cheapest point
    assertThat(r.sanityViolations()).isEmpty();
    ReportWriter.write(r, dir);
    JsonNode m = Json.MAPPER.readTree(dir.resolve("metrics.json").toFile());
    assertThat(m.get("sanity").get("ok").asBoolean()).isTrue();
    for (String name : List.of("carrot-knn", "zero-router", "static", "binary", "random", "oracle")) {
      JsonNode qf = m.get("routers").get(name).get("quality_at_cost_fraction");
      assertThat(qf.get("0.1").isNull()).as(name + " at 10%: below every router's cheapest point").isTrue();
      assertThat(m.get("routers").get(name).get("ci95").has("quality_at_cost_fraction_0.1")).as(name).isFalse();
    }
    JsonNode oracle = m.get("routers").get("oracle").get("quality_at_cost_fraction");
    // 20% of S's $0.01 is B's $0.002, the oracle's cheapest point: every prompt to B, quality 0
    assertThat(oracle.get("0.2").asDouble()).isEqualTo(0.0);
    // 30%: the oracle's hull from (0.002, 0) to (0.0025, 0.5) (cluster A to W) is already flat at .5 then up towards S
    assertThat(oracle.get("0.3").asDouble()).isCloseTo(0.5 + 0.5 * 0.0005 / 0.0040, offset(1e-12));
    assertThat(m.get("output_token_mae").get("carrot-knn").isNull()).isTrue();
    assertThat(m.get("output_token_mae").get("train-mean").isNull()).isTrue();
    String md = Files.readString(dir.resolve("report.md"));
    assertThat(md).contains("n/a (below its cheapest setting) at 10%")
        .contains("Output-token MAE on test (tokens per prompt and model): carrot-knn n/a, train-mean n/a. (n/a: no test prompt")
        .doesNotContain("NaN").doesNotContain("SANITY CHECK FAILED");
    // the Q@10% column of the metrics table is n/a for every router
    assertThat(md.lines().filter(l -> l.startsWith("| **carrot-knn** | ") || l.startsWith("| oracle | "))
            .filter(l -> l.split("\\|").length > 10).toList())
        .hasSize(2).allSatisfy(l -> assertThat(l.split("\\|")[8].trim()).isEqualTo("n/a"));
    assertThat(image(dir.resolve("quality-at-cost.png")).getWidth()).isEqualTo(1000);
  }

  @Test
  void aFailedSanityCheckIsLoud(@TempDir Path dir) throws IOException {
    EvalReport bad = TinyEval.withViolations(report, List.of("static at param 0.5: quality 0.9 above the oracle's 0.8"));
    ReportWriter.write(bad, dir);
    String md = Files.readString(dir.resolve("report.md"));
    assertThat(md).contains("**WARNING: SANITY CHECK FAILED.**").contains("> - static at param 0.5: quality 0.9 above the oracle's 0.8");
    assertThat(md.indexOf("SANITY")).isLessThan(md.indexOf("## Headline"));
    JsonNode m = Json.MAPPER.readTree(dir.resolve("metrics.json").toFile());
    assertThat(m.get("sanity").get("ok").asBoolean()).isFalse();
    assertThat(m.get("sanity").get("violations").get(0).asText()).startsWith("static at param 0.5");
  }

  @Test
  void resultsIndexLinksEachDatasetsPlotsRelatively(@TempDir Path dir) {
    Path out = dir.resolve("docs/results");
    String md = ResultsIndex.render(List.of(report), dir.resolve("docs/RESULTS.md"), out, "carrot eval --all --out docs/results", 12.3, "2 cores");
    assertThat(md).contains("| [tiny](#tiny) | 20 x 3 | S 1.0000 at 1.000e-02 | 1.0000 | 1.0000 | 55.0% |");
    assertThat(md).contains("![tiny frontier](results/tiny/frontier.png)").contains("[results/tiny/report.md](results/tiny/report.md)");
    assertThat(md).contains("The whole run took 12 s on 2 cores");
    assertThat(md).contains("- Knobs on test: predicted quality ECE 0.0000 over all (prompt, model) pairs, 0.0000 for the chosen model "
        + "at mu = 0 (bias +0.0000). `--budget` lands within 10% of the target on ")
        .contains("`--min-quality` promise: 0.5 kept, 0.6 kept, 0.7 kept, 0.8 kept, 0.9 kept.")
        .contains("![tiny reliability](results/tiny/calibration.png)");
    assertThat(ResultsIndex.anchor("routerbench_subset")).isEqualTo("routerbench_subset");
  }

  @Test
  void crossEvaluationsGoToResultsAndMetrics(@TempDir Path dir) {
    EvaluationHarness.SplitEmbeddings v = TinyEval::embed;
    EvalOptions o = EvalOptions.defaults().withEstimator("knn", Map.of("k", "4")).withMuSteps(100).withBootstrap(50);
    EvalReport.CrossEval folds = CrossEvaluation.folds(TinyEval.dataset(), v, "tiny-vectors", "none", o, 4, ProgressListener.NONE);
    List<EvalReport.CrossEval> held = CrossEvaluation.leaveOneSourceOut(TinyEval.dataset(), v, "tiny-vectors", "none", o,
        SourceGroups.none(), List.of("all"), ProgressListener.NONE);
    EvalReport r = report.withCrossEvaluations(folds, held);
    String md = ResultsIndex.render(List.of(r), dir.resolve("docs/RESULTS.md"), dir.resolve("docs/results"), "carrot eval --all", 1, "2 cores");
    // pooled over the folds CARROT-KNN routes like the oracle; every prompt goes to S or W at mu = 0, all right
    assertThat(md).contains("## K-fold cross-evaluation").contains("| tiny | 80 | carrot-knn 0.8409 [")
        .contains("## Leave one source out").contains("**tiny**").contains("| A | 40 | ").contains("| B | 40 | ");
    // the router as route runs it (support fallback on) beside the raw one, paired
    String row = md.lines().filter(l -> l.startsWith("| tiny | 80 | ")).findFirst().orElseThrow();
    assertThat(md).contains("| with fallback - router (AIQ) | with fallback - router (accuracy) |");
    assertThat(md).contains("| router - task-only |");
    assertThat(row.split("\\|")).hasSize(14);
    assertThat(row).doesNotEndWith("| n/a | n/a |");
    JsonNode m = Json.MAPPER.valueToTree(MetricsJson.of(r));
    assertThat(m.get("cross_validation").get("routers").get("best-on-train").get("accuracy_mu0").asDouble()).isEqualTo(1.0);
    assertThat(m.get("leave_one_source_out").get(1).get("routers").has("zero-router-train")).isTrue();
    assertThat(MarkdownReport.render(r, "")).contains("## K-fold cross-evaluation").contains("| carrot-knn | zero-router | aiq | +");
    JsonNode plain = Json.MAPPER.valueToTree(MetricsJson.of(report));
    assertThat(plain.get("cross_validation").isNull()).isTrue();
    assertThat(plain.get("leave_one_source_out").size()).isZero();
  }

  @Test
  void embeddersComparedOnTheSameFoldsGetATable() {
    EvaluationHarness.SplitEmbeddings v = TinyEval::embed;
    EvalOptions o = EvalOptions.defaults().withEstimator("knn", Map.of("k", "4")).withMuSteps(100).withBootstrap(50);
    EvalReport.CrossEval folds = CrossEvaluation.folds(TinyEval.dataset(), v, "tiny-vectors", "none", o, 4,
        List.of(new CrossEvaluation.Alternative("again", v, "tiny-vectors-2")), ProgressListener.NONE);
    String md = MarkdownReport.render(report.withCrossEvaluations(folds, List.of()), "");
    assertThat(md).contains("Embedders compared on the same folds");
    // the main row has no difference to itself; the same vectors again differ by exactly 0 on every resample
    assertThat(md).contains("| " + report.embedderId() + " (main) | 0.8409 [");
    assertThat(md).containsPattern("\\| again \\| 0\\.8409 \\[[^|]*\\] \\| [^|]* \\| [^|]* \\| n/a \\| \\+0\\.0000 \\[0\\.0000, 0\\.0000\\] \\| \\+0\\.0000 ");
  }

  private static BufferedImage image(Path p) throws IOException {
    return ImageIO.read(new ByteArrayInputStream(Files.readAllBytes(p)));
  }

  private static int count(BufferedImage img, Color c) {
    int n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        if ((img.getRGB(x, y) & 0xffffff) == (c.getRGB() & 0xffffff)) {
          n++;
        }
      }
    }
    return n;
  }
}
