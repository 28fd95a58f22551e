package io.carrot.core.metrics;

import io.carrot.core.CarrotException;
import java.util.List;

/**
 * The reference points every router of one evaluation is measured against, all taken from the
 * single models on the same split.
 *
 * @param bestCost mean cost of the best single model (highest mean quality; ties: cheaper)
 * @param bestQuality its mean quality
 * @param weakCost mean cost of the cheapest single model (ties: higher quality), PGR's "weak"
 * @param weakQuality its mean quality
 * @param costMin lower end of the common AIQ cost range: the cheapest single model's mean cost
 * @param costMax upper end: the most expensive single model's mean cost
 */
public record Anchors(
    double bestCost, double bestQuality, double weakCost, double weakQuality, double costMin, double costMax) {

  public Anchors {
    if (!(costMax >= costMin)) {
      throw new CarrotException("AIQ cost range is empty: [" + costMin + ", " + costMax + "]");
    }
  }

  /**
   * Anchors with the best and weak models fixed by index (e.g. chosen on the full test split and
   * kept for every bootstrap resample, so a difference is always against the same model).
   */
  public static Anchors of(List<Point> singleModels, int best, int weak) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Point p : singleModels) {
      lo = Math.min(lo, p.cost());
      hi = Math.max(hi, p.cost());
    }
    Point b = singleModels.get(best);
    Point w = singleModels.get(weak);
    return new Anchors(b.cost(), b.quality(), w.cost(), w.quality(), lo, hi);
  }

  /** Index of the best single model: highest quality, ties the cheaper, then the first. */
  public static int best(List<Point> singleModels) {
    int best = 0;
    for (int i = 1; i < singleModels.size(); i++) {
      Point p = singleModels.get(i);
      Point b = singleModels.get(best);
      if (p.quality() > b.quality() || (p.quality() == b.quality() && p.cost() < b.cost())) {
        best = i;
      }
    }
    return best;
  }

  /** Index of the weak model of PGR: the cheapest, ties the better, then the first. */
  public static int weak(List<Point> singleModels) {
    int weak = 0;
    for (int i = 1; i < singleModels.size(); i++) {
      Point p = singleModels.get(i);
      Point w = singleModels.get(weak);
      if (p.cost() < w.cost() || (p.cost() == w.cost() && p.quality() > w.quality())) {
        weak = i;
      }
    }
    return weak;
  }

  /** Anchors from the single-model points of a split: best by {@link #best}, weak by {@link #weak}. */
  public static Anchors of(List<Point> singleModels) {
    if (singleModels.isEmpty()) {
      throw new CarrotException("anchors need at least one single-model point");
    }
    return of(singleModels, best(singleModels), weak(singleModels));
  }

}
