package io.carrot.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.carrot.core.ProgressListener;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.core.eval.EvalReport.RouterResult;
import io.carrot.core.metrics.Point;
import io.carrot.core.metrics.RouterMetrics;
import io.carrot.core.predict.knn.KnnTrainer;
import io.carrot.core.route.Router;
import io.carrot.core.train.RouterTrainer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A dataset whose right answers are known: strong S is always right ($0.01 a prompt), mid W is
 * right on cluster A only ($0.001), bad B never ($0.0001). Prompts of a cluster share an embedding
 * direction, so k-NN with k = 4 predicts every score exactly and CARROT routes like the oracle:
 * A -> W, B -> S, at mean cost $0.0055 and quality 1.
 */
class EvaluationHarnessTest {
  static final List<String> MODELS = List.of("S", "W", "B");

  static Dataset dataset(int train, int validation, int test) {
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    prices.put("S", new ModelPrice(0, 100, "test"));
    prices.put("W", new ModelPrice(0, 10, "test"));
    prices.put("B", new ModelPrice(0, 1, "test"));
    List<PromptRecord> prompts = new ArrayList<>();
    Map<Split, int[]> split = new EnumMap<>(Split.class);
    int[] sizes = {train, validation, test};
    Split[] order = {Split.TRAIN, Split.VALIDATION, Split.TEST};
    for (int s = 0; s < 3; s++) {
      int[] idx = new int[sizes[s]];
      for (int i = 0; i < sizes[s]; i++) {
        boolean a = i % 2 == 0;
        idx[i] = prompts.size();
        prompts.add(new PromptRecord(order[s].key() + i, (a ? "A" : "B") + " prompt " + i, a ? "A" : "B",
            new double[] {1, a ? 1 : 0, 0}, new double[] {0, 0, 0}, new double[] {100, 100, 100}, null));
      }
      split.put(order[s], idx);
    }
    return new Dataset("clusters", "0".repeat(64), MODELS, new PriceTable(prices), prompts, split);
  }

  /** Cluster A along axis 0, B along axis 1, with a little seeded noise on the other axes. */
  static EvaluationHarness.SplitEmbeddings vectors() {
    Map<String, float[]> cache = new HashMap<>();
    return (split, rows) -> {
      float[][] out = new float[rows.size()][];
      for (int i = 0; i < out.length; i++) {
        PromptRecord r = rows.get(i);
        out[i] = cache.computeIfAbsent(r.id(), id -> {
          Random rnd = new Random(id.hashCode());
          float[] v = new float[8];
          v[r.source().equals("A") ? 0 : 1] = 1;
          for (int d = 2; d < 8; d++) {
            v[d] = (float) (0.05 * rnd.nextGaussian());
          }
          double n = 0;
          for (float x : v) {
            n += x * x;
          }
          for (int d = 0; d < 8; d++) {
            v[d] /= (float) Math.sqrt(n);
          }
          return v;
        });
      }
      return out;
    };
  }

  static EvalOptions options(int bootstrap) {
    return EvalOptions.defaults().withEstimator("knn", Map.of("k", "4")).withMuSteps(200).withBootstrap(bootstrap);
  }

  @Test
  void carrotRoutesLikeTheOracleOnAKnownDataset() {
    EvalReport r = EvaluationHarness.run(dataset(40, 20, 20), vectors(), null, "test-vectors", "none", options(50), ProgressListener.NONE);
    assertThat(r.carrot()).isEqualTo("carrot-knn");
    assertThat(r.routers().keySet()).containsExactly("carrot-knn", "quality-only", "static", "binary", "zero-router", "random", "oracle");
    assertThat(r.bestSingle()).isEqualTo("S");
    assertThat(r.singles()).extracting(EvalReport.SingleModel::quality).containsExactly(1.0, 0.5, 0.0);
    assertThat(r.oracle().cost()).isCloseTo(0.0055, offset(1e-15));
    assertThat(r.oracle().quality()).isEqualTo(1.0);

    RouterMetrics c = r.router("carrot-knn").metrics();
    assertThat(c.accuracyMu0()).isEqualTo(1.0);
    // frontier (1e-4, 0), (5.5e-4, .5), (5.5e-3, 1): matches S at 55% of its cost
    assertThat(c.costFractionToMatchBest()).isCloseTo(0.55, offset(1e-12));
    // AIQ over [1e-4, 1e-2]: (4.5e-4 * .25 + 4.95e-3 * .75 + 4.5e-3 * 1) / 9.9e-3
    assertThat(c.aiq()).isCloseTo(0.008325 / 0.0099, offset(1e-12));
    assertThat(c.aiq()).isCloseTo(r.router("oracle").metrics().aiq(), offset(1e-12));
    assertThat(c.aiq()).isGreaterThan(r.router("zero-router").metrics().aiq());
    assertThat(c.aiq()).isGreaterThan(r.router("static").metrics().aiq());
    // the binary router picks W as its weak model and separates the clusters too
    assertThat(r.router("binary").description()).contains("strong S vs weak W");
    assertThat(r.router("binary").metrics().costFractionToMatchBest()).isCloseTo(0.55, offset(1e-12));
    // the static router never looks at the prompt: its points are single models
    for (Point p : r.router("static").points()) {
      assertThat(List.of(0.01, 0.001, 0.0001)).anySatisfy(x -> assertThat(p.cost()).isCloseTo(x, offset(1e-15)));
    }
    assertThat(r.sanityViolations()).isEmpty();
    assertThat(r.outputTokenMae()).containsEntry("carrot-knn", 0.0);
    // at mu = 0 half the prompts go to S and half to W
    assertThat(r.selection().share()[0][0]).isEqualTo(0.5);
    assertThat(r.selection().share()[1][0]).isEqualTo(0.5);
    assertThat(r.selection().share()[2][r.selection().mu().length - 1]).isEqualTo(1.0);
  }

  /** {@code d} with model W's entries removed where {@code drop} says (a sparse dataset). */
  static Dataset withoutW(Dataset d, java.util.function.Predicate<String> drop) {
    List<PromptRecord> out = new ArrayList<>();
    for (PromptRecord r : d.prompts()) {
      if (!drop.test(r.id())) {
        out.add(r);
        continue;
      }
      double[] q = r.scores().clone();
      double[] in = r.inputTokens().clone();
      double[] tok = r.outputTokens().clone();
      q[1] = Double.NaN;
      in[1] = Double.NaN;
      tok[1] = Double.NaN;
      out.add(new PromptRecord(r.id(), r.prompt(), r.source(), q, in, tok, null));
    }
    return new Dataset(d.name(), d.sha256(), d.models(), d.prices(), out, d.split());
  }

  @Test
  void sparseDataTrainsOnEveryEntryAndEvaluatesOnCompletePrompts() {
    // W lacks a quarter of the training prompts and test prompts test0..test3
    Dataset sparse = withoutW(dataset(40, 20, 20), id -> id.startsWith("train") && Integer.parseInt(id.substring(5)) % 4 == 1
        || id.matches("test[0-3]"));
    for (String est : List.of("knn", "knn-low-rank", "linear")) {
      EvalReport r = EvaluationHarness.run(sparse, vectors(), null, "test-vectors", "none",
          EvalOptions.defaults().withEstimator(est, Map.of("k", "4")).withMuSteps(200), ProgressListener.NONE);
      assertThat(r.nTrain()).isEqualTo(40);
      assertThat(r.nTest()).isEqualTo(16);
      assertThat(r.notes()).anySatisfy(n -> assertThat(n).startsWith("4 test prompts lack an entry for some model"));
      // the clusters are still separated: A -> W (cheap, right), B -> S
      assertThat(r.router("carrot-" + est).metrics().accuracyMu0()).as(est).isEqualTo(1.0);
      assertThat(r.router("carrot-" + est).metrics().aiq()).as(est)
          .isCloseTo(r.router("oracle").metrics().aiq(), offset(0.02));
    }
  }

  @Test
  void autoPicksAnEstimatorOnValidationAndSaysWhich() {
    EvalReport r = EvaluationHarness.run(dataset(40, 20, 20), vectors(), null, "test-vectors", "none",
        EvalOptions.defaults().withEstimator("auto", Map.of("k", "4")).withMuSteps(200), ProgressListener.NONE);
    assertThat(r.carrot()).isEqualTo("carrot-auto");
    assertThat(r.notes()).anySatisfy(n -> assertThat(n).startsWith("--estimator auto chose ").contains("knn 0.8409"));
    assertThat(r.router("carrot-auto").metrics().accuracyMu0()).isEqualTo(1.0);
  }

  @Test
  void bootstrapIntervalsAreSeededAndBracketTheEstimate() {
    EvalReport a = EvaluationHarness.run(dataset(40, 20, 20), vectors(), null, "v", "none", options(100), ProgressListener.NONE);
    EvalReport b = EvaluationHarness.run(dataset(40, 20, 20), vectors(), null, "v", "none", options(100), ProgressListener.NONE);
    RouterResult za = a.router("zero-router");
    assertThat(za.ci()).isEqualTo(b.router("zero-router").ci());
    EvalReport.Interval aiq = za.ci().get("aiq");
    assertThat(aiq.lo()).isLessThanOrEqualTo(za.metrics().aiq());
    assertThat(aiq.hi()).isGreaterThanOrEqualTo(za.metrics().aiq());
    assertThat(aiq.hi()).isGreaterThan(aiq.lo());
    // CARROT = oracle on every resample: the paired difference is exactly 0 with no spread
    assertThat(a.differences()).filteredOn(d -> d.baseline().equals("zero-router")).singleElement()
        .satisfies(d -> assertThat(d.ci().lo()).isGreaterThan(0));
    assertThat(a.bestSingleQualityCi()).isEqualTo(new EvalReport.Interval(1.0, 1.0));
  }

  @Test
  void deploymentCheckPicksMuOnValidation() {
    EvalReport r = EvaluationHarness.run(dataset(40, 20, 20), vectors(), null, "v", "none", options(0).withTargetCost(0.0005),
        ProgressListener.NONE);
    // validation costs on offer: 1e-4, 5.5e-4, 5.5e-3; 5.5e-4 is closest to 5e-4
    assertThat(r.deployment().validation().cost()).isCloseTo(0.00055, offset(1e-15));
    assertThat(r.deployment().test().cost()).isCloseTo(0.00055, offset(1e-15));
    assertThat(r.deployment().test().quality()).isEqualTo(0.5);
    assertThat(r.deployment().mu()).isBetween(0.5025, 0.9174);
    assertThat(r.router("carrot-knn").ci()).isEmpty();
  }

  @Test
  void aGivenRouterIsEvaluatedAndItsModelsMustExist() {
    Dataset d = dataset(40, 20, 20);
    EvaluationHarness.SplitEmbeddings v = vectors();
    List<PromptRecord> train = d.rows(Split.TRAIN);
    Router router = RouterTrainer.train(d, train, v.embed(Split.TRAIN, train), KnnTrainer.fixed(4), "v", "none", Map.of(), i -> {});
    EvalReport r = EvaluationHarness.run(d, v, router, "v", "none", options(0), ProgressListener.NONE);
    assertThat(r.router("carrot-knn").metrics().accuracyMu0()).isEqualTo(1.0);

    Dataset two = d.withModels(List.of("S", "W"));
    assertThatThrownBy(() -> EvaluationHarness.run(two, v, router, "v", "none", options(0), ProgressListener.NONE))
        .hasMessageContaining("trained on models [S, W, B] but dataset 'clusters' lacks [B]");
  }

  @Test
  void calibrationAndKnobsAreMeasuredOnTest() {
    EvalReport r = EvaluationHarness.run(dataset(40, 20, 20), vectors(), null, "v", "none", options(0), ProgressListener.NONE);
    // plain knn has no calibration map: one set of predictions, exact 0/1 here
    assertThat(r.calibration()).singleElement().satisfies(c -> {
      assertThat(c.name()).isEqualTo("router");
      assertThat(c.allPairs().n()).isEqualTo(60);
      assertThat(c.allPairs().ece()).isZero();
      assertThat(c.chosenMu0().n()).isEqualTo(20);
      assertThat(c.chosenMu0().meanPredicted()).isEqualTo(1.0);
    });
    // validation spends 5.5 (mu = 0), 0.55 (A -> W, B -> B) and 0.1 (all B) per 1000 prompts
    EvalReport.BudgetKnob b = r.budgetKnob();
    assertThat(b.curveSource()).isEqualTo("validation split");
    assertThat(b.minUsdPer1000()).isCloseTo(0.1, offset(1e-12));
    assertThat(b.maxUsdPer1000()).isCloseTo(5.5, offset(1e-12));
    // the top target 0.1 * 55^(7/8) = 3.33 mixes mu = 0 (5.5) with the 0.55 setting; test spends like validation
    EvalReport.BudgetRow top = b.rows().get(b.rows().size() - 1);
    assertThat(top.targetUsdPer1000()).isCloseTo(0.1 * Math.pow(55, 7.0 / 8), offset(1e-12));
    assertThat(top.muLow()).isZero();
    assertThat(top.testExpectedUsdPer1000()).isCloseTo(top.targetUsdPer1000(), offset(1e-9));
    assertThat(top.testCi()).isNull();
    // every test prompt costs 0.1, 1 or 10 per 1000: the paced stream lands near the target
    assertThat(top.pacedWorstAbsRelativeError()).isLessThan(0.25);
    assertThat(r.qualityFloor()).hasSize(5).allSatisfy(f -> {
      assertThat(f.clearedShare()).isEqualTo(1.0);
      assertThat(f.meanCostAll()).isCloseTo(0.0055, offset(1e-15));
    });
  }

  @Test
  void aStoredSpendCurveIsTheOneTheBudgetTableUses() {
    Dataset d = dataset(40, 20, 20);
    EvaluationHarness.SplitEmbeddings v = vectors();
    List<PromptRecord> train = d.rows(Split.TRAIN);
    Router router = RouterTrainer.train(d, train, v.embed(Split.TRAIN, train), KnnTrainer.fixed(4), "v", "none", Map.of(), i -> {})
        .withBudgetCurve(new io.carrot.core.route.BudgetCurve(new double[] {0, 1}, new double[] {0.004, 0.0002}));
    EvalReport r = EvaluationHarness.run(d, v, router, "v", "none", options(0), ProgressListener.NONE);
    assertThat(r.budgetKnob().curveSource()).isEqualTo("router file");
    assertThat(r.budgetKnob().maxUsdPer1000()).isEqualTo(4.0);
    EvalReport.BudgetRow low = r.budgetKnob().rows().get(0);
    assertThat(low.targetUsdPer1000()).isCloseTo(0.2 * Math.pow(20, 1.0 / 8), offset(1e-12));
    // the stored curve's mix (mu 0 at 4, mu 1 at 0.2 per 1000), priced at the test split's 5.5 and 0.1
    double share = (4 - low.targetUsdPer1000()) / 3.8;
    assertThat(low.shareHigh()).isCloseTo(share, offset(1e-12));
    assertThat(low.testExpectedUsdPer1000()).isCloseTo((1 - share) * 5.5 + share * 0.1, offset(1e-9));
  }

  @Test
  void aCalibratedEstimatorIsAlsoMeasuredBeforeItsCalibrationMap() {
    EvalReport r = EvaluationHarness.run(dataset(40, 20, 20), vectors(), null, "v", "none",
        options(0).withEstimator("knn-shrink", Map.of("k", "4")), ProgressListener.NONE);
    assertThat(r.calibration()).extracting(EvalReport.CalibrationResult::name).containsExactly("router", "uncalibrated");
    assertThat(r.calibration().get(1).description()).contains("before its isotonic calibration map");
    assertThat(r.calibration().get(1).perModel().keySet()).containsExactly("S", "W", "B");
    // the paper's CARROT-KNN rides along for reference, with CARROT's paired difference to it
    assertThat(r.routers().keySet()).startsWith("carrot-knn-shrink", "carrot-knn");
    assertThat(r.router("carrot-knn").description()).contains("k = 4").contains("for reference");
    assertThat(r.router("carrot-knn").metrics().accuracyMu0()).isEqualTo(1.0);
    assertThat(r.differences()).filteredOn(d -> d.baseline().equals("carrot-knn")).singleElement()
        .satisfies(d -> assertThat(d.metric()).isEqualTo("aiq"));
    // auto: the reference is the knn trial, and is left out when auto chose knn itself
    EvalReport auto = EvaluationHarness.run(dataset(40, 20, 20), vectors(), null, "v", "none",
        options(0).withEstimator("auto", Map.of("k", "4")), ProgressListener.NONE);
    assertThat(auto.carrot()).isEqualTo("carrot-auto");
    assertThat(auto.notes()).anySatisfy(n -> assertThat(n).startsWith("--estimator auto chose "));
    boolean choseKnn = auto.notes().stream().anyMatch(n -> n.startsWith("--estimator auto chose knn by"));
    assertThat(auto.routers().containsKey("carrot-knn")).isEqualTo(!choseKnn);
  }

  @Test
  void withoutATrainSplitTheTrainedBaselinesAreSkippedWithANote() {
    Dataset d = dataset(40, 20, 20);
    EvaluationHarness.SplitEmbeddings v = vectors();
    List<PromptRecord> train = d.rows(Split.TRAIN);
    Router router = RouterTrainer.train(d, train, v.embed(Split.TRAIN, train), KnnTrainer.fixed(4), "v", "none", Map.of(), i -> {});
    EvalReport r = EvaluationHarness.run(dataset(0, 20, 20), v, router, "v", "none", options(0), ProgressListener.NONE);
    assertThat(r.routers().keySet()).containsExactly("carrot-knn", "zero-router", "random", "oracle");
    assertThat(r.notes()).singleElement().asString().contains("no train split");
    assertThat(r.router("carrot-knn").metrics().costFractionToMatchBest()).isCloseTo(0.55, offset(1e-12));
  }

  @Test
  void badInputGetsClearErrors() {
    EvaluationHarness.SplitEmbeddings v = vectors();
    Dataset one = dataset(40, 20, 20).withModels(List.of("S"));
    assertThatThrownBy(() -> EvaluationHarness.run(one, v, null, "v", "none", options(0), ProgressListener.NONE))
        .hasMessageContaining("has 1 model [S]; routing needs at least 2 models");
    assertThatThrownBy(() -> EvaluationHarness.run(dataset(40, 20, 0), v, null, "v", "none", options(0), ProgressListener.NONE))
        .hasMessageContaining("empty test split");
    assertThatThrownBy(() -> EvaluationHarness.run(dataset(40, 20, 20), v, null, "v", "none",
            options(0).withEstimator("forest", Map.of()), ProgressListener.NONE))
        .hasMessageContaining("unknown estimator 'forest'; expected one of [knn");
    assertThatThrownBy(() -> EvaluationHarness.run(dataset(40, 0, 20), v, null, "v", "none", options(0).withTargetCost(0.001),
            ProgressListener.NONE))
        .hasMessageContaining("validation split");
    assertThatThrownBy(() -> EvalOptions.defaults().withTargetCost(-1)).hasMessageContaining("got -1");
  }

  @Test
  void sanityCheckSpotsARouterAboveTheOracle() {
    Map<String, List<Point>> pts = new LinkedHashMap<>();
    pts.put("oracle", List.of(new Point(Double.NaN, 1, 0.5), new Point(Double.NaN, 2, 0.9)));
    pts.put("zero-router", List.of(new Point(0, 1, 0.5)));
    pts.put("broken", List.of(new Point(0.3, 1.5, 0.8)));
    List<Point> singles = List.of(new Point(0, 1, 0.5), new Point(1, 2, 0.6));
    List<String> v = EvaluationHarness.sanity(pts, singles, List.of("a", "b"));
    assertThat(v).hasSize(2);
    assertThat(v.get(0)).contains("broken at param 0.3: quality 0.800000 at mean cost 1.50000 is above the oracle's 0.700000");
    assertThat(v.get(1)).contains("zero router: its hull (0.500000) is below single model b (0.600000)");
  }
}
