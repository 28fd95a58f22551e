package io.carrot.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.carrot.core.ProgressListener;
import io.carrot.core.curve.ChoiceCurve;
import io.carrot.core.curve.EvalSet;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.core.eval.EvalReport.CrossEval;
import io.carrot.core.eval.EvalReport.Difference;
import io.carrot.core.metrics.Point;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross-evaluation on the clusters of {@link EvaluationHarnessTest}: S always right ($0.01), W right
 * on cluster A only ($0.001), B never ($0.0001); sources are the clusters. k-NN with k = 4 learns
 * the clusters from any 3 of 4 folds, so pooled over the folds it routes like the oracle.
 */
class CrossEvaluationTest {
  static EvalOptions options() {
    return EvalOptions.defaults().withEstimator("knn", Map.of("k", "4")).withMuSteps(100).withBootstrap(200);
  }

  @Test
  void foldsAreStratifiedBalancedAndSeeded() {
    List<PromptRecord> rows = EvaluationHarnessTest.dataset(40, 20, 20).prompts();
    int[] a = CrossEvaluation.deal(rows, 4, 42, PromptRecord::source);
    int[][] count = new int[4][2];
    for (int i = 0; i < rows.size(); i++) {
      count[a[i]][rows.get(i).source().equals("A") ? 0 : 1]++;
    }
    // 80 prompts, 40 per source: every fold has 10 of each
    assertThat(count).isDeepEqualTo(new int[][] {{10, 10}, {10, 10}, {10, 10}, {10, 10}});
    assertThat(CrossEvaluation.deal(rows, 4, 42, PromptRecord::source)).isEqualTo(a);
    assertThat(CrossEvaluation.deal(rows, 4, 43, PromptRecord::source)).isNotEqualTo(a);
  }

  @Test
  void everyPromptIsTestedOnceAndPairedIntervalsTellRoutersApart() {
    Dataset d = EvaluationHarnessTest.dataset(40, 20, 20);
    CrossEval cv = CrossEvaluation.folds(d, EvaluationHarnessTest.vectors(), "v", "none", options(), 4, ProgressListener.NONE);
    assertThat(cv.prompts()).isEqualTo(80);
    assertThat(cv.carrot()).isEqualTo("carrot-knn");
    assertThat(cv.metrics().keySet()).containsExactly("carrot-knn", "carrot-knn+fallback", "quality-only", "static", "binary",
        "best-on-train", "task-only", "zero-router", "random", "oracle");
    // pooled over the folds CARROT routes like the oracle: A -> W, B -> S (so the fallback, measured beside it, cannot beat it)
    assertThat(cv.metrics().get("carrot-knn").accuracyMu0()).isEqualTo(1.0);
    assertThat(cv.metrics().get("carrot-knn+fallback").aiq()).isLessThanOrEqualTo(cv.metrics().get("carrot-knn").aiq());
    assertThat(cv.metrics().get("carrot-knn").aiq()).isCloseTo(cv.metrics().get("oracle").aiq(), offset(1e-12));
    assertThat(cv.metrics().get("carrot-knn").costFractionToMatchBest()).isCloseTo(0.55, offset(1e-12));
    // the best model on every fold's training data is S: quality 1 at $0.01, one point
    assertThat(cv.metrics().get("best-on-train").accuracyMu0()).isEqualTo(1.0);
    assertThat(cv.bestSingle()).isEqualTo("S");
    // same accuracy on every resample: the paired difference is exactly 0 (an unpaired one would not be)
    Difference acc = cv.pair("carrot-knn", "best-on-train", "accuracy_mu0");
    assertThat(acc.estimate()).isZero();
    assertThat(acc.ci()).isEqualTo(new EvalReport.Interval(0, 0));
    // AIQ: CARROT's hull is above the blind routers' on every resample
    for (String blind : List.of("best-on-train", "zero-router", "static")) {
      Difference aiq = cv.pair("carrot-knn", blind, "aiq");
      assertThat(aiq.estimate()).as(blind).isPositive();
      assertThat(aiq.ci().lo()).as(blind).isPositive();
    }
    // the sources are the clusters, so the task alone routes exactly as CARROT does: A -> W, B -> S
    assertThat(cv.metrics().get("task-only").aiq()).isEqualTo(cv.metrics().get("carrot-knn").aiq());
    Difference task = cv.pair("carrot-knn", "task-only", "aiq");
    assertThat(task.estimate()).isZero();
    assertThat(task.ci()).isEqualTo(new EvalReport.Interval(0, 0));
    // every pair of the 9 compared routers (oracle left out) for AIQ; accuracy only where both have one
    assertThat(cv.pairs()).filteredOn(p -> p.metric().equals("aiq")).hasSize(36);
    assertThat(cv.pairs()).filteredOn(p -> p.metric().equals("accuracy_mu0")).extracting(Difference::baseline)
        .doesNotContain("zero-router", "random", "binary");
    assertThat(cv.notes()).isEmpty();
    assertThat(cv.descriptions().get("carrot-knn")).startsWith("fitted per fold, decisions pooled; fold 1: CARROT with the knn");
  }

  /** Sources that say nothing of the cluster: the task alone is the static router, and CARROT is above it. */
  @Test
  void sourcesBlindToTheClustersLeaveTheTaskOnlyRouterBehind() {
    Dataset d = EvaluationHarnessTest.dataset(40, 20, 20);
    List<PromptRecord> relabelled = new java.util.ArrayList<>();
    for (int i = 0; i < d.prompts().size(); i++) {
      PromptRecord r = d.prompts().get(i);
      // clusters alternate A, B, A, B: sources X, X, Y, Y hold both clusters equally
      relabelled.add(new PromptRecord(r.id(), r.prompt(), i / 2 % 2 == 0 ? "X" : "Y", r.scores(), r.inputTokens(), r.outputTokens(),
          r.cost()));
    }
    Dataset blind = new Dataset(d.name(), d.sha256(), d.models(), d.prices(), relabelled, d.split());
    // the vectors still show the clusters (they are made from the original records)
    Map<String, PromptRecord> original = new java.util.HashMap<>();
    d.prompts().forEach(r -> original.put(r.id(), r));
    EvaluationHarness.SplitEmbeddings byCluster = EvaluationHarnessTest.vectors();
    EvaluationHarness.SplitEmbeddings v = (split, rows) -> byCluster.embed(split, rows.stream().map(r -> original.get(r.id())).toList());
    CrossEval cv = CrossEvaluation.folds(blind, v, "v", "none", options(), 4, ProgressListener.NONE);
    Difference task = cv.pair("carrot-knn", "task-only", "aiq");
    assertThat(task.ci().lo()).isPositive();
    assertThat(cv.metrics().get("task-only").aiq()).isCloseTo(cv.metrics().get("static").aiq(), offset(0.02));
  }

  @Test
  void alternativeEmbeddersAreFittedOnTheSameFoldsAndPaired() {
    Dataset d = EvaluationHarnessTest.dataset(40, 20, 20);
    // "same": the main vectors again; "noise": vectors that ignore the cluster, so k-NN cannot route
    EvaluationHarness.SplitEmbeddings noise = (split, rows) -> {
      float[][] out = new float[rows.size()][];
      for (int i = 0; i < out.length; i++) {
        java.util.Random rnd = new java.util.Random(rows.get(i).id().hashCode() * 31L);
        float[] v = new float[8];
        double n = 0;
        for (int j = 0; j < 8; j++) {
          v[j] = (float) rnd.nextGaussian();
          n += v[j] * v[j];
        }
        for (int j = 0; j < 8; j++) {
          v[j] /= (float) Math.sqrt(n);
        }
        out[i] = v;
      }
      return out;
    };
    CrossEval cv = CrossEvaluation.folds(d, EvaluationHarnessTest.vectors(), "v", "none", options(), 4,
        List.of(new CrossEvaluation.Alternative("same", EvaluationHarnessTest.vectors(), "v2"),
            new CrossEvaluation.Alternative("noise", noise, "n")), ProgressListener.NONE);
    assertThat(cv.metrics().keySet()).startsWith("carrot-knn", "carrot-knn@same", "carrot-knn@noise");
    assertThat(cv.metrics()).containsKeys("carrot-knn@same", "carrot-knn@noise", "best-on-train", "zero-router");
    // the same vectors on the same folds: the very same decisions, so every paired difference is exactly 0
    assertThat(cv.metrics().get("carrot-knn@same").aiq()).isEqualTo(cv.metrics().get("carrot-knn").aiq());
    Difference same = cv.pair("carrot-knn", "carrot-knn@same", "aiq");
    assertThat(same.estimate()).isZero();
    assertThat(same.ci()).isEqualTo(new EvalReport.Interval(0, 0));
    // without the cluster in the vectors the alternative routes worse than the main embedder, on every resample
    Difference worse = cv.pair("carrot-knn", "carrot-knn@noise", "aiq");
    assertThat(worse.estimate()).isPositive();
    assertThat(worse.ci().lo()).isPositive();
    assertThat(cv.pair("carrot-knn@noise", "best-on-train", "accuracy_mu0")).isNotNull();
    // two alternatives are each compared with the main embedder, not with each other
    assertThat(cv.pairs()).noneMatch(p -> p.router().contains("@same") && p.baseline().contains("@noise"));
    assertThat(cv.protocol()).contains("<router>@<embedder>");
    assertThatThrownBy(() -> new CrossEvaluation.Alternative("a@b", noise, "x")).hasMessageContaining("without '@'");
  }

  @Test
  void pooledCurvesAreTheFoldsWeightedBySize() {
    Dataset d = EvaluationHarnessTest.dataset(6, 0, 4);
    List<PromptRecord> rows = d.rows(Split.TRAIN);
    EvalSet first = EvalSet.of(d, rows.subList(0, 2));
    EvalSet second = EvalSet.of(d, rows.subList(2, 6));
    double[] params = {0, 1};
    ChoiceCurve c1 = ChoiceCurve.of(first, "mu", params, p -> p == 0 ? new int[] {0, 0} : new int[] {2, 2});
    ChoiceCurve c2 = ChoiceCurve.of(second, "mu", params, p -> p == 0 ? new int[] {0, 1, 0, 1} : new int[] {1, 1, 1, 1});
    ChoiceCurve pooled = ChoiceCurve.pool(EvalSet.of(d, rows), List.of(c1, c2));
    List<Point> a = c1.points();
    List<Point> b = c2.points();
    for (int p = 0; p < 2; p++) {
      Point x = pooled.points().get(p);
      assertThat(x.cost()).isCloseTo((2 * a.get(p).cost() + 4 * b.get(p).cost()) / 6, offset(1e-15));
      assertThat(x.quality()).isCloseTo((2 * a.get(p).quality() + 4 * b.get(p).quality()) / 6, offset(1e-15));
    }
    assertThat(pooled.choicesAt(1)).containsExactly(2, 2, 1, 1, 1, 1);
    assertThatThrownBy(() -> ChoiceCurve.pool(EvalSet.of(d, rows.subList(0, 5)), List.of(c1, c2)))
        .hasMessageContaining("the pooled curves have 6 prompts, the pooled set 5");
  }

  @Test
  void aHeldOutSourceIsComparedWithTheBlindRoutersOfTheOthers() {
    Dataset d = EvaluationHarnessTest.dataset(40, 20, 20);
    List<CrossEval> out = CrossEvaluation.leaveOneSourceOut(d, EvaluationHarnessTest.vectors(), "v", "none", options(),
        SourceGroups.none(), List.of("A"), ProgressListener.NONE);
    CrossEval a = out.get(0);
    assertThat(a.name()).isEqualTo("A");
    assertThat(a.prompts()).isEqualTo(40);
    assertThat(a.trainPrompts()).isEqualTo(40);
    // trained on cluster B only, where W is always wrong: the held-out A prompts go to S at mu = 0,
    // right but ten times dearer than W, which the prompt-blind routers cannot know either
    assertThat(a.metrics().get("carrot-knn").accuracyMu0()).isEqualTo(1.0);
    assertThat(a.metrics().get("best-on-train").accuracyMu0()).isEqualTo(1.0);
    assertThat(a.descriptions().get("zero-router-train")).contains("(B, S)");
    assertThat(a.metrics().get("zero-router-train").aiq()).isCloseTo(a.metrics().get("static").aiq(), offset(1e-12));
    assertThat(a.pair("carrot-knn", "best-on-train", "accuracy_mu0").ci()).isEqualTo(new EvalReport.Interval(0, 0));
    // with and without the support fallback: A's prompts are orthogonal to every training prompt (low support), so the
    // fallback routes on the priors of cluster B, which also say S
    assertThat(a.metrics().keySet()).startsWith("carrot-knn", "carrot-knn+fallback");
    assertThat(a.descriptions().get("carrot-knn+fallback")).contains("support fallback on");
    assertThat(a.metrics().get("carrot-knn+fallback").accuracyMu0()).isEqualTo(1.0);
    assertThat(a.pair("carrot-knn+fallback", "best-on-train", "accuracy_mu0").estimate()).isZero();
    assertThat(CrossEvaluation.leaveOneSourceOut(d, EvaluationHarnessTest.vectors(), "v", "none", options(), SourceGroups.none(),
        List.of("all"), ProgressListener.NONE)).extracting(CrossEval::name).containsExactly("A", "B");
    assertThatThrownBy(() -> CrossEvaluation.leaveOneSourceOut(d, EvaluationHarnessTest.vectors(), "v", "none", options(),
        SourceGroups.none(), List.of("C"), ProgressListener.NONE))
        .hasMessageContaining("--leave-out-source C: dataset 'clusters' has no such source group; its groups (one group per source) are [A, B]");
  }

  /**
   * Held-out prompts of every length with long answers (3000 tokens where the training prompts'
   * are 1000), the short ones answered by every model, the long ones by S only. X is priced on
   * input, Y on output: at the training means X is the cheaper (and on the held-out prompts it
   * truly is), but a prompt's own count makes Y look cheaper for every prompt over 1000 tokens.
   * Orthogonal to the training prompts, the held-out prompts are all at fallback weight 0, and the
   * fallback must route them like the prompt-blind router at every mu, priced at the training mean
   * input: its AIQ is the zero router's fitted on the same training data. Priced at each prompt's
   * own input tokens instead, its cheap end sends the long prompts to Y and costs more (checked by
   * reverting the pricing: AIQ 0.6377 against the blind router's 0.6583).
   */
  @Test
  void aHeldOutSourceAtWeightZeroIsRoutedLikeTheBlindRouterWhateverItsLength() {
    Map<String, io.carrot.core.data.ModelPrice> prices = new java.util.LinkedHashMap<>();
    prices.put("S", new io.carrot.core.data.ModelPrice(30, 60, "test"));
    prices.put("X", new io.carrot.core.data.ModelPrice(10, 0.1, "test"));
    prices.put("Y", new io.carrot.core.data.ModelPrice(0.1, 10, "test"));
    List<PromptRecord> prompts = new java.util.ArrayList<>();
    Map<Split, int[]> split = new java.util.EnumMap<>(Split.class);
    int[] sizes = {60, 20, 40};
    Split[] order = {Split.TRAIN, Split.VALIDATION, Split.TEST};
    for (int s = 0; s < 3; s++) {
      int[] idx = new int[sizes[s]];
      for (int i = 0; i < sizes[s]; i++) {
        boolean a = i % 2 == 0;
        double tokens = 10 + (i * 977 + s * 131) % 1600;
        double q = tokens < 500 ? 1 : 0;
        double[] quality = a ? new double[] {1, q, q} : new double[] {1, i % 3 == 0 ? 0 : 1, i % 3 == 0 ? 0 : 1};
        double out = a ? 3000 : 1000;
        idx[i] = prompts.size();
        prompts.add(new PromptRecord(order[s].key() + i, (a ? "A" : "B") + " prompt " + i, a ? "A" : "B", quality,
            new double[] {tokens, tokens, tokens}, new double[] {out, out, out}, null));
      }
      split.put(order[s], idx);
    }
    Dataset d = new Dataset("lengths", "0".repeat(64), List.of("S", "X", "Y"), new io.carrot.core.data.PriceTable(prices),
        prompts, split);
    CrossEval a = CrossEvaluation.leaveOneSourceOut(d, EvaluationHarnessTest.vectors(), "v", "none",
        options().withMuSteps(1000), SourceGroups.none(), List.of("A"), ProgressListener.NONE).get(0);
    double blind = a.metrics().get("zero-router-train").aiq();
    assertThat(a.metrics().get("carrot-knn+fallback").aiq()).isCloseTo(blind, offset(1e-9));
    EvalReport.Interval ci = a.pair("carrot-knn+fallback", "zero-router-train", "aiq").ci();
    assertThat(ci.lo()).isCloseTo(0, offset(1e-12));
    assertThat(ci.hi()).isCloseTo(0, offset(1e-12));
  }

  @Test
  void sourceGroupsByPrefixOrMappingFile(@TempDir Path dir) throws IOException {
    SourceGroups prefix = SourceGroups.parse("prefix:/");
    assertThat(prefix.groupOf("mmlu/law")).isEqualTo("mmlu");
    assertThat(prefix.groupOf("gsm8k")).isEqualTo("gsm8k");
    assertThat(prefix.groupOf("")).isEqualTo(SourceGroups.NONE);
    Path map = dir.resolve("groups.txt");
    Files.writeString(map, "# knowledge vs reasoning\nlaw = knowledge\nhistory=knowledge\n\nmath = reasoning\n");
    SourceGroups file = SourceGroups.parse(map.toString());
    assertThat(List.of("law", "history", "math", "physics").stream().map(file::groupOf).toList())
        .containsExactly("knowledge", "knowledge", "reasoning", "physics");
    Files.writeString(map, "A = one\nB = one\n");
    Dataset d = EvaluationHarnessTest.dataset(8, 0, 4);
    assertThatThrownBy(() -> CrossEvaluation.leaveOneSourceOut(d, EvaluationHarnessTest.vectors(), "v", "none", options(),
        SourceGroups.parse(map.toString()), List.of("all"), ProgressListener.NONE))
        .hasMessageContaining("has 1 source group [one] (sources grouped by groups.txt); leaving one out needs at least 2");
    Files.writeString(map, "law knowledge\n");
    assertThatThrownBy(() -> SourceGroups.parse(map.toString())).hasMessageContaining("line 1: expected 'source = group', got 'law knowledge'");
    assertThatThrownBy(() -> SourceGroups.parse("nonsense")).hasMessageContaining("must be prefix:SEP or a mapping file");
    assertThatThrownBy(() -> SourceGroups.parse("prefix:")).hasMessageContaining("needs a separator");
  }

  @Test
  void tooFewPromptsOrFoldsAreRefused() {
    Dataset d = EvaluationHarnessTest.dataset(4, 0, 2);
    assertThatThrownBy(() -> CrossEvaluation.folds(d, EvaluationHarnessTest.vectors(), "v", "none", options(), 1, ProgressListener.NONE))
        .hasMessageContaining("--folds must be at least 2, got 1");
    assertThatThrownBy(() -> CrossEvaluation.folds(d, EvaluationHarnessTest.vectors(), "v", "none", options(), 4, ProgressListener.NONE))
        .hasMessageContaining("has 6 prompts; 4 folds need at least 8");
  }
}
