package io.carrot.core.curve;

import io.carrot.core.metrics.Frontier;
import io.carrot.core.metrics.Point;
import java.util.List;

/**
 * RouterBench's zero router: mixing single models at random, without looking at the prompt. What
 * it achieves is the non-decreasing upper convex hull of the single-model points; its points are
 * the hull's vertices (param = the model index).
 */
public record ZeroRouterCurve(EvalSet set) implements RouterCurve {
  @Override
  public String paramName() {
    return "model";
  }

  @Override
  public List<Point> points(int[] weights) {
    return Frontier.vertices(SingleModels.points(set, weights));
  }
}
