package io.carrot.core.curve;

import io.carrot.core.metrics.Point;
import java.util.ArrayList;
import java.util.List;

/** Each model alone: one (mean cost, mean quality) point per model, in the set's model order. */
public final class SingleModels {
  private SingleModels() {}

  /** One point per model (param = model index) for prompts counted {@code weights} times (null: once). */
  public static List<Point> points(EvalSet set, int[] weights) {
    List<Point> out = new ArrayList<>(set.modelCount());
    int[] ch = new int[set.size()];
    for (int m = 0; m < set.modelCount(); m++) {
      java.util.Arrays.fill(ch, m);
      out.add(new Point(m, RouterCurve.weightedMean(set.cost(), ch, weights), RouterCurve.weightedMean(set.quality(), ch, weights)));
    }
    return out;
  }
}
