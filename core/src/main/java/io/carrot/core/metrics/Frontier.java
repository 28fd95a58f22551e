package io.carrot.core.metrics;

import io.carrot.core.CarrotException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What a router can achieve at each mean cost: the non-decreasing upper convex hull (RouterBench's
 * NDCH) of its operating points. Any two operating points can be mixed (route a random share of
 * prompts with each setting), so every point under the hull is achievable in expectation, and
 * spending more never has to lower quality.
 *
 * <p>As a function of mean cost {@code c} ({@link #qualityAt}): 0 below the cheapest point (the
 * router cannot operate on that budget, RouterBench's convention), linear between hull vertices,
 * flat at the best quality beyond the most expensive vertex. A cost within {@link
 * #COST_TOLERANCE} (relative) of the cheapest point counts as that point: two curves that make the
 * same choices can add the same per-prompt costs in another order (a sweep updates its sums
 * prompt by prompt) and so differ in the last bits, and reading the step down to 0 there would
 * turn rounding into a lost budget. Immutable.
 */
public final class Frontier {
  /** How far below a target quality a vertex may be and still count as reaching it. */
  public static final double TOLERANCE = 1e-12;

  /**
   * How far below the cheapest vertex, relative to the frontier's largest cost, a mean cost may be
   * and still count as reaching it (rounding of sums, see the class comment). Mean costs are never
   * negative, so below a free cheapest vertex everything is rounding.
   */
  public static final double COST_TOLERANCE = 1e-9;

  private final double[] cost;
  private final double[] quality;

  private Frontier(double[] cost, double[] quality) {
    this.cost = cost;
    this.quality = quality;
  }

  /** The NDCH of {@code points}; their {@code param} is kept on the vertices. */
  public static Frontier of(List<Point> points) {
    List<Point> v = vertices(points);
    double[] c = new double[v.size()];
    double[] q = new double[v.size()];
    for (int i = 0; i < c.length; i++) {
      c[i] = v.get(i).cost();
      q[i] = v.get(i).quality();
    }
    return new Frontier(c, q);
  }

  /**
   * The vertices of the NDCH of {@code points}, by increasing cost (and strictly increasing
   * quality): the upper convex hull, cut after its highest point.
   */
  public static List<Point> vertices(List<Point> points) {
    if (points.isEmpty()) {
      throw new CarrotException("a frontier needs at least one (cost, quality) point, got none");
    }
    for (Point p : points) {
      if (!Double.isFinite(p.cost()) || !Double.isFinite(p.quality())) {
        throw new CarrotException("frontier points must have finite cost and quality, got " + p);
      }
    }
    List<Point> sorted = new ArrayList<>(points);
    sorted.sort(Comparator.comparingDouble(Point::cost).thenComparing(Comparator.comparingDouble(Point::quality).reversed()));
    List<Point> hull = new ArrayList<>();
    for (Point p : sorted) {
      if (!hull.isEmpty() && hull.get(hull.size() - 1).cost() == p.cost()) {
        continue; // same cost, lower or equal quality: never on the upper hull
      }
      // Andrew's monotone chain, upper part: drop the last vertex while it is not strictly above
      // the chord from the one before it to p.
      while (hull.size() >= 2 && cross(hull.get(hull.size() - 2), hull.get(hull.size() - 1), p) >= 0) {
        hull.remove(hull.size() - 1);
      }
      hull.add(p);
    }
    int top = 0;
    for (int i = 1; i < hull.size(); i++) {
      if (hull.get(i).quality() > hull.get(top).quality()) {
        top = i;
      }
    }
    return List.copyOf(hull.subList(0, top + 1));
  }

  private static double cross(Point o, Point a, Point b) {
    return (a.cost() - o.cost()) * (b.quality() - o.quality()) - (a.quality() - o.quality()) * (b.cost() - o.cost());
  }

  /** Hull vertices as points (param NaN), by increasing cost. */
  public List<Point> points() {
    List<Point> out = new ArrayList<>(cost.length);
    for (int i = 0; i < cost.length; i++) {
      out.add(new Point(Double.NaN, cost[i], quality[i]));
    }
    return out;
  }

  public double minCost() {
    return cost[0];
  }

  public double maxCost() {
    return cost[cost.length - 1];
  }

  /** The best quality the router reaches at any cost. */
  public double maxQuality() {
    return quality[quality.length - 1];
  }

  /**
   * Whether the router can operate at mean cost {@code c}: it is at or above the cheapest vertex
   * (within {@link #COST_TOLERANCE}).
   */
  public boolean reaches(double c) {
    if (c >= cost[0] || cost[0] <= 0) {
      return true;
    }
    return cost[0] - c <= COST_TOLERANCE * Math.max(Math.abs(cost[0]), Math.abs(cost[cost.length - 1]));
  }

  /** NDCH(c): the best mean quality achievable at mean cost at most {@code c}. */
  public double qualityAt(double c) {
    if (c <= cost[0]) {
      return reaches(c) ? quality[0] : 0;
    }
    int n = cost.length;
    if (c >= cost[n - 1]) {
      return quality[n - 1];
    }
    int i = 1;
    while (cost[i] < c) {
      i++;
    }
    // cost[i - 1] <= c <= cost[i]
    double t = (c - cost[i - 1]) / (cost[i] - cost[i - 1]);
    return quality[i - 1] + t * (quality[i] - quality[i - 1]);
  }

  /** The exact integral of {@link #qualityAt} over {@code [a, b]}, {@code a <= b}. */
  public double integral(double a, double b) {
    if (b < a) {
      throw new IllegalArgumentException("integral bounds reversed: [" + a + ", " + b + "]");
    }
    double sum = 0;
    int n = cost.length;
    for (int i = 0; i + 1 < n; i++) {
      double lo = Math.max(a, cost[i]);
      double hi = Math.min(b, cost[i + 1]);
      if (hi > lo) {
        sum += (hi - lo) * (qualityAt(lo) + qualityAt(hi)) / 2;
      }
    }
    double flatFrom = Math.max(a, cost[n - 1]);
    if (b > flatFrom) {
      sum += (b - flatFrom) * quality[n - 1];
    }
    return sum;
  }

  /**
   * The smallest mean cost at which the frontier reaches {@code target} quality; NaN when it never
   * does. A vertex within {@link #TOLERANCE} of the target reaches it (means of the same scores
   * summed in another order differ in the last bits). A target at or below 0 needs no spend (0).
   */
  public double costToReach(double target) {
    if (target <= 0) {
      return 0;
    }
    int i = 0;
    while (i < quality.length && quality[i] < target - TOLERANCE) {
      i++;
    }
    if (i == quality.length) {
      return Double.NaN;
    }
    if (i == 0 || quality[i] <= target + TOLERANCE) {
      return cost[i];
    }
    double t = (target - quality[i - 1]) / (quality[i] - quality[i - 1]);
    return cost[i - 1] + t * (cost[i] - cost[i - 1]);
  }
}
