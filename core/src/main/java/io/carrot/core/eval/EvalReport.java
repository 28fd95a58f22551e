package io.carrot.core.eval;

import io.carrot.core.metrics.Anchors;
import io.carrot.core.metrics.Calibration;
import io.carrot.core.metrics.Point;
import io.carrot.core.metrics.RouterMetrics;
import java.util.List;
import java.util.Map;

/**
 * Everything one evaluation measured on the test split of one dataset: what the report module
 * writes out. Costs are mean USD per prompt. NaN marks a number that does not exist.
 *
 * @param carrot the name of the evaluated CARROT router in {@code routers} ({@code carrot-<kind>})
 * @param routerInfo estimator, hyper-parameters, cost scale and provenance of that router
 * @param singles every model alone, in dataset model order
 * @param bestSingle name of the best single model on test (highest quality; ties: cheaper)
 * @param oracle per prompt the cheapest best model
 * @param anchors the reference points of the metrics
 * @param routers CARROT first, then every baseline, by name
 * @param differences paired bootstrap differences between CARROT and the baselines
 * @param selection how often CARROT picks each model as mu varies
 * @param topTieShare share of test prompts on which two or more models tie for CARROT's highest
 *     predicted quality (at mu = 0 the rule then picks the cheapest of them)
 * @param outputTokenMae output-token MAE of CARROT's cost predictor and of the train-mean baseline (NaN when the
 *     test prompts have no output tokens to predict: input-only costs)
 * @param deployment the {@code --target-cost} check, or null
 * @param calibration calibration of CARROT's predicted quality on test: its own predictions first,
 *     then (when its predictor is a calibrated wrapper) the predictions before the calibration map
 * @param budgetKnob what {@code --budget} does on test, or null without a spend curve
 * @param qualityFloor what {@code --min-quality} does on test, one row per floor
 * @param sanityViolations failed sanity checks (empty when all pass)
 * @param notes what the run had to decide or skip, for the reader
 * @param seconds wall time per stage
 * @param crossValidation the {@code --folds} cross-evaluation, or null
 * @param heldOutSources the {@code --leave-out-source} evaluations, one per held-out source group
 *     (empty without)
 */
public record EvalReport(
    String dataset,
    String datasetSha256,
    int nTrain,
    int nValidation,
    int nTest,
    String embedderId,
    String carrot,
    Map<String, Object> routerInfo,
    List<SingleModel> singles,
    String bestSingle,
    Interval bestSingleQualityCi,
    Point oracle,
    Interval oracleQualityCi,
    Anchors anchors,
    Map<String, RouterResult> routers,
    List<Difference> differences,
    Selection selection,
    double topTieShare,
    Map<String, Double> outputTokenMae,
    Deployment deployment,
    List<CalibrationResult> calibration,
    BudgetKnob budgetKnob,
    List<FloorRow> qualityFloor,
    List<String> sanityViolations,
    List<String> notes,
    EvalOptions options,
    Map<String, Double> seconds,
    CrossEval crossValidation,
    List<CrossEval> heldOutSources) {

  public EvalReport {
    heldOutSources = heldOutSources == null ? List.of() : List.copyOf(heldOutSources);
  }

  /** This report with cross-evaluations added beside the single split's results. */
  public EvalReport withCrossEvaluations(CrossEval folds, List<CrossEval> heldOut) {
    return new EvalReport(dataset, datasetSha256, nTrain, nValidation, nTest, embedderId, carrot, routerInfo, singles, bestSingle,
        bestSingleQualityCi, oracle, oracleQualityCi, anchors, routers, differences, selection, topTieShare, outputTokenMae, deployment,
        calibration, budgetKnob, qualityFloor, sanityViolations, notes, options, seconds, folds, heldOut);
  }

  /**
   * A cross-evaluation ({@link CrossEvaluation}): routers fitted without the test prompts, their
   * decisions pooled over the folds, every router measured on the pooled prompts, and paired
   * differences between every two of them.
   *
   * @param name {@code folds} or the held-out source group
   * @param protocol what was held out and how, for the reader
   * @param carrot the name of the router under evaluation
   * @param prompts pooled test prompts
   * @param trainPrompts training prompts (K-fold: all prompts; each fold trains on the others)
   * @param bestSingle the best single model on the pooled prompts
   * @param metrics every router's metrics on the pooled prompts
   * @param ci their 95% bootstrap intervals (empty without bootstrap)
   * @param descriptions what each router is
   * @param pairs router a's metric minus router b's (AIQ, accuracy at mu = 0) for every two routers,
   *     with paired intervals
   * @param notes what the folds had to decide or skip
   */
  public record CrossEval(
      String name,
      String protocol,
      String carrot,
      int prompts,
      int trainPrompts,
      String bestSingle,
      Map<String, RouterMetrics> metrics,
      Map<String, Map<String, Interval>> ci,
      Map<String, String> descriptions,
      List<Difference> pairs,
      List<String> notes) {

    /**
     * The paired difference of {@code a} minus {@code b} in {@code metric} (pairs are stored in
     * router order, the router under evaluation first), or null when not measured.
     */
    public Difference pair(String a, String b, String metric) {
      for (Difference d : pairs) {
        if (d.router().equals(a) && d.baseline().equals(b) && d.metric().equals(metric)) {
          return d;
        }
      }
      return null;
    }
  }

  /**
   * A 95% percentile bootstrap interval; {@code hi} NaN when unbounded (e.g. never reached), {@code
   * lo} NaN when the lower end is unreachable (a quality at a budget below the router's cheapest
   * point on that many resamples).
   */
  public record Interval(double lo, double hi) {}

  /** One model on its own. */
  public record SingleModel(String model, double cost, double quality) {}

  /**
   * One router or baseline.
   *
   * @param paramName what {@link Point#param()} of {@code points} is ({@code mu}, {@code threshold}, ...)
   * @param points every operating point on test
   * @param ci bootstrap intervals by metric name ({@link RouterMetrics#asMap()}); empty without bootstrap
   */
  public record RouterResult(
      String name, String description, String paramName, List<Point> points, RouterMetrics metrics, Map<String, Interval> ci) {}

  /** {@code router}'s metric minus {@code baseline}'s, with a paired bootstrap interval (null without bootstrap). */
  public record Difference(String router, String baseline, String metric, double estimate, Interval ci) {}

  /**
   * Model-selection share over mu.
   *
   * @param share {@code share[model][k]}: fraction of test prompts routed to the model at {@code mu[k]}
   */
  public record Selection(List<String> models, double[] mu, double[][] share) {}

  /** The mu whose validation cost is closest to the target, and what it does on test. */
  public record Deployment(double targetCost, double mu, Point validation, Point test) {}

  /**
   * Calibration of one set of quality predictions on test.
   *
   * @param name {@code router} (what the evaluated router predicts) or {@code uncalibrated} (its
   *     predictor before the isotonic calibration map, routing on its own)
   * @param description what the predictions are
   * @param allPairs every (test prompt, model) pair
   * @param chosenMu0 the chosen model's predicted quality at mu = 0, one per test prompt (what a
   *     decision shows the user)
   * @param perModel every model's column, in model order
   */
  public record CalibrationResult(
      String name, String description, Calibration allPairs, Calibration chosenMu0, Map<String, Calibration> perModel) {}

  /**
   * The budget knob on test: targets spread over the spend curve's range, each turned into a setting
   * exactly as {@code carrot route --budget} does.
   *
   * @param curveSource where the spend curve came from ({@code validation split} or {@code router file})
   * @param minUsdPer1000 the cheapest spend the curve reaches, USD per 1000 prompts
   * @param maxUsdPer1000 its spend at mu = 0
   */
  public record BudgetKnob(String curveSource, double minUsdPer1000, double maxUsdPer1000, List<BudgetRow> rows) {}

  /**
   * One budget target. Spends are USD per 1000 prompts.
   *
   * @param muLow the smaller mu of the mix
   * @param muHigh the larger mu (cheaper setting)
   * @param shareHigh share of prompts sent to {@code muHigh}
   * @param validationUsdPer1000 the mix's expected spend on the curve (the target when reachable)
   * @param testUsdPer1000 realized test spend, each prompt at the mu its hash picks
   * @param testCi 95% bootstrap interval of {@code testUsdPer1000} over test prompts (the test
   *     sample's own noise), or null without bootstrap
   * @param testExpectedUsdPer1000 expected test spend of the mix (without the hash's sampling noise)
   * @param testQuality realized test quality
   * @param nearestMu the single grid mu whose curve spend is closest to the target (the knob without mixing)
   * @param nearestTestUsdPer1000 test spend at {@code nearestMu}
   * @param pacedTestUsdPer1000 mean real test spend over {@code pacedOrders} random orders of the
   *     test prompts when a {@link io.carrot.core.route.BudgetPacer} holds the stream to the target
   * @param pacedWorstAbsRelativeError the largest {@code |spend / target - 1|} over those orders
   * @param pacedOrders how many orders
   */
  public record BudgetRow(
      double targetUsdPer1000,
      double muLow,
      double muHigh,
      double shareHigh,
      double validationUsdPer1000,
      double testUsdPer1000,
      Interval testCi,
      double testExpectedUsdPer1000,
      double testQuality,
      double nearestMu,
      double nearestTestUsdPer1000,
      double pacedTestUsdPer1000,
      double pacedWorstAbsRelativeError,
      int pacedOrders) {
    /** {@code test spend / target - 1}. */
    public double relativeError() {
      return testUsdPer1000 / targetUsdPer1000 - 1;
    }

    /** True when the target lies inside the test spend's 95% interval. */
    public boolean targetWithinTestNoise() {
      return testCi != null && testCi.lo() <= targetUsdPer1000 && targetUsdPer1000 <= testCi.hi();
    }

    /** Paced: {@code mean paced spend / target - 1}. */
    public double pacedRelativeError() {
      return pacedTestUsdPer1000 / targetUsdPer1000 - 1;
    }

    /** The same for the single nearest mu. */
    public double nearestRelativeError() {
      return nearestTestUsdPer1000 / targetUsdPer1000 - 1;
    }
  }

  /**
   * One quality floor on test: the cheapest model predicted to reach it, else the best predicted.
   *
   * @param cleared test prompts on which some model's predicted quality reaches the floor
   * @param clearedShare {@code cleared / n_test}
   * @param meanPredicted mean predicted quality of the chosen models on the cleared prompts
   * @param meanRealized their mean realized quality (the promise: at least the floor)
   * @param realizedCi 95% bootstrap interval of {@code meanRealized} over the cleared prompts, or null
   * @param meanCostCleared mean true cost per prompt of the cleared prompts' choices
   * @param meanCostAll mean true cost per prompt over every test prompt (fallbacks included)
   * @param meanQualityAll mean realized quality over every test prompt
   */
  public record FloorRow(
      double floor,
      int cleared,
      double clearedShare,
      double meanPredicted,
      double meanRealized,
      Interval realizedCi,
      double meanCostCleared,
      double meanCostAll,
      double meanQualityAll) {}

  public RouterResult router(String name) {
    return routers.get(name);
  }

  public boolean sane() {
    return sanityViolations.isEmpty();
  }
}
