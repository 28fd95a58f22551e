package io.carrot.core.curve;

import io.carrot.core.metrics.Point;
import java.util.List;

/**
 * A router (or baseline) evaluated on one {@link EvalSet} at every setting of its knob: one
 * (mean cost, mean quality) point per setting.
 *
 * <p>Points can be recomputed for a reweighted set (a bootstrap resample) without re-running any
 * predictor: {@code weights[i]} is how many times prompt {@code i} counts; null counts each once.
 */
public interface RouterCurve {
  /** What {@link Point#param()} means: {@code mu}, {@code threshold}, {@code strong_share}, or empty. */
  String paramName();

  /** The points for prompts counted {@code weights} times (null: once each). */
  List<Point> points(int[] weights);

  /** The points on the set as it is. */
  default List<Point> points() {
    return points(null);
  }

  /** Mean of {@code values[i][choice]} weighted by {@code weights} (null: 1 each). */
  static double weightedMean(double[][] values, int[] choices, int[] weights) {
    double s = 0;
    long w = 0;
    for (int i = 0; i < values.length; i++) {
      int k = weights == null ? 1 : weights[i];
      s += k * values[i][choices[i]];
      w += k;
    }
    return s / w;
  }
}
