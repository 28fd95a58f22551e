package io.carrot.core.curve;

import io.carrot.core.metrics.Point;
import io.carrot.core.predict.Prediction;
import io.carrot.core.route.BudgetCurve;
import io.carrot.core.route.Router;
import java.util.List;

/** Measures a router's {@link BudgetCurve} on held-out prompts. */
public final class BudgetCurves {
  /** mu steps of the curve that {@code carrot train} stores (and the evaluation measures). */
  public static final int STEPS = 200;

  private BudgetCurves() {}

  /** Mean true cost per prompt of {@code set} at {@code steps + 1} evenly spaced mu. */
  public static BudgetCurve measure(EvalSet set, Router router, Prediction[] predictions, int steps) {
    List<Point> pts = new RouterSweep(set, router, predictions).frontier(steps);
    double[] mu = new double[pts.size()];
    double[] usd = new double[pts.size()];
    for (int i = 0; i < mu.length; i++) {
      mu[i] = pts.get(i).param();
      // a mean of costs >= 0 summed prompt by prompt can round to a hair below 0 (free models)
      usd[i] = Math.max(0, pts.get(i).cost());
    }
    return new BudgetCurve(mu, usd);
  }
}
