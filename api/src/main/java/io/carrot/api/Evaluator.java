package io.carrot.api;

import io.carrot.core.data.Dataset;
import io.carrot.core.eval.Baselines;
import io.carrot.core.eval.EvalSet;
import io.carrot.core.eval.Point;
import io.carrot.core.eval.RouterSweep;
import io.carrot.core.predict.Prediction;
import io.carrot.core.route.Router;
import java.util.List;

/** Evaluates a router on embedded prompts of a dataset split: the core numbers of the paper. */
public final class Evaluator {
  private Evaluator() {}

  /**
   * What {@link #evaluate} measures on the test split.
   *
   * @param accuracyMu0 the router's mean quality at mu = 0
   * @param bestSingleModel the best single model by mean quality
   * @param frontier one point per mu on the grid
   * @param costFractionToMatchBest smallest frontier cost reaching the best single model's quality,
   *     divided by that model's cost; NaN when the frontier never reaches it
   */
  public record Report(
      String dataset,
      int nTest,
      double accuracyMu0,
      double costMu0,
      String bestSingleModel,
      double bestSingleQuality,
      double bestSingleCost,
      double oracleQuality,
      double oracleCost,
      double outputTokenMae,
      double costFractionToMatchBest,
      List<Point> frontier) {}

  public static Report evaluate(Dataset data, EvalSet test, Router router, float[][] testEmbeddings, int muSteps) {
    Prediction[] preds = router.predictor().predictAll(testEmbeddings);
    RouterSweep sweep = new RouterSweep(test, router, preds);
    int best = Baselines.bestSingle(test);
    Point oracle = Baselines.oracle(test);
    List<Point> frontier = sweep.frontier(muSteps);
    Point mu0 = sweep.at(0);
    double bq = test.meanQuality(best);
    double bc = test.meanCost(best);
    double match = Double.NaN;
    for (Point p : frontier) {
      if (p.quality() >= bq && (Double.isNaN(match) || p.cost() < match)) {
        match = p.cost();
      }
    }
    return new Report(
        data.name(),
        test.size(),
        mu0.quality(),
        mu0.cost(),
        test.models().get(best),
        bq,
        bc,
        oracle.quality(),
        oracle.cost(),
        sweep.outputTokenMae(),
        Double.isNaN(match) ? Double.NaN : match / bc,
        frontier);
  }
}
