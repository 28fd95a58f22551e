package io.carrot.core.eval;

import io.carrot.core.metrics.Anchors;
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
 * @param outputTokenMae output-token MAE of CARROT's cost predictor and of the train-mean baseline
 * @param deployment the {@code --target-cost} check, or null
 * @param sanityViolations failed sanity checks (empty when all pass)
 * @param notes what the run had to decide or skip, for the reader
 * @param seconds wall time per stage
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
    List<String> sanityViolations,
    List<String> notes,
    EvalOptions options,
    Map<String, Double> seconds) {

  /** A 95% percentile bootstrap interval; {@code hi} NaN when unbounded (e.g. never reached). */
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

  public RouterResult router(String name) {
    return routers.get(name);
  }

  public boolean sane() {
    return sanityViolations.isEmpty();
  }
}
