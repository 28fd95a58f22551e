package io.carrot.api;

import io.carrot.core.CarrotException;
import io.carrot.core.metrics.Point;
import io.carrot.core.route.BudgetCurve;
import java.util.List;

/**
 * Predicted spend and quality of a router as {@code mu} varies, measured on a sample of prompts
 * that stands for the traffic; turns a budget into the {@code mu} that meets it. Immutable.
 *
 * <pre>{@code
 * SpendCurve curve = router.spendCurve(samplePrompts, RouteOptions.mu(0), 101);
 * double mu = curve.muFor(2.50);   // USD per 1000 requests
 * }</pre>
 *
 * <p>Spend is <em>predicted</em> (counted input tokens, predicted output tokens, the router's
 * prices), so it is as good as the cost estimates and as the sample is representative.
 */
public final class SpendCurve {
  private final List<Point> points;
  private final int prompts;

  SpendCurve(List<Point> points, int prompts) {
    if (points.isEmpty()) {
      throw new CarrotException("a spend curve needs at least one mu");
    }
    this.points = List.copyOf(points);
    this.prompts = prompts;
  }

  /**
   * One point per mu on the grid, ascending mu: {@code param} is mu, {@code cost} the mean
   * predicted USD per prompt and {@code quality} the mean predicted quality of the chosen models.
   */
  public List<Point> points() {
    return points;
  }

  /** Number of sample prompts the curve was measured on. */
  public int prompts() {
    return prompts;
  }

  /**
   * The mu whose predicted spend is closest to {@code usdPer1000} (USD per 1000 requests); among
   * equally close ones the smallest mu, i.e. the best quality for that spend.
   */
  public double muFor(double usdPer1000) {
    if (!(usdPer1000 > 0) || Double.isInfinite(usdPer1000)) {
      throw new CarrotException("budget must be a finite number of USD per 1000 requests > 0, got " + usdPer1000);
    }
    double target = usdPer1000 / 1000;
    Point best = points.get(0);
    for (Point p : points) {
      if (Math.abs(p.cost() - target) < Math.abs(best.cost() - target)) {
        best = p;
      }
    }
    return best.param();
  }

  /**
   * This curve's predicted spend by mu as a {@link BudgetCurve}: for a {@link
   * io.carrot.core.route.BudgetPacer} over traffic like the sample, e.g. when the router stores no
   * curve of its own.
   */
  public BudgetCurve budgetCurve() {
    return new BudgetCurve(
        points.stream().mapToDouble(Point::param).toArray(), points.stream().mapToDouble(Point::cost).toArray());
  }

  /** Predicted USD per 1000 requests at the grid mu nearest to {@code mu}. */
  public double usdPer1000At(double mu) {
    Point best = points.get(0);
    for (Point p : points) {
      if (Math.abs(p.param() - mu) < Math.abs(best.param() - mu)) {
        best = p;
      }
    }
    return best.cost() * 1000;
  }
}
