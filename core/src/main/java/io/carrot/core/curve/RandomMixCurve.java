package io.carrot.core.curve;

import io.carrot.core.CarrotException;
import io.carrot.core.metrics.Point;
import java.util.ArrayList;
import java.util.List;

/**
 * The random router: each prompt goes to the {@code strong} model with probability {@code s}, else
 * to the {@code weak} one; its expected points lie on the line between the two models' points
 * (param = s, on {@code steps + 1} even values).
 */
public record RandomMixCurve(EvalSet set, int weak, int strong, int steps) implements RouterCurve {
  public RandomMixCurve {
    if (steps < 1) {
      throw new CarrotException("the random mix needs steps >= 1, got " + steps);
    }
  }

  @Override
  public String paramName() {
    return "strong_share";
  }

  @Override
  public List<Point> points(int[] weights) {
    List<Point> singles = SingleModels.points(set, weights);
    Point w = singles.get(weak);
    Point s = singles.get(strong);
    List<Point> out = new ArrayList<>(steps + 1);
    for (int k = 0; k <= steps; k++) {
      double share = (double) k / steps;
      out.add(new Point(share, (1 - share) * w.cost() + share * s.cost(), (1 - share) * w.quality() + share * s.quality()));
    }
    return out;
  }
}
