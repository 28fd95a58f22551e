package io.carrot.core.curve;

import io.carrot.core.metrics.Anchors;
import io.carrot.core.metrics.Point;

/** Reference points every router is compared with. */
public final class Baselines {
  private Baselines() {}

  /** Index of the single model with the highest mean quality (ties: lower mean cost). */
  public static int bestSingle(EvalSet set) {
    return Anchors.best(SingleModels.points(set, null));
  }

  /** Per prompt, the cheapest of the models with the best score: the ceiling of any router. */
  public static Point oracle(EvalSet set) {
    double q = 0;
    double c = 0;
    for (int i = 0; i < set.size(); i++) {
      int best = 0;
      for (int m = 1; m < set.modelCount(); m++) {
        double a = set.quality()[i][m];
        double b = set.quality()[i][best];
        if (a > b || (a == b && set.cost()[i][m] < set.cost()[i][best])) {
          best = m;
        }
      }
      q += set.quality()[i][best];
      c += set.cost()[i][best];
    }
    return new Point(Double.NaN, c / set.size(), q / set.size());
  }
}
