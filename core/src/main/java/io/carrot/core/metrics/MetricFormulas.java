package io.carrot.core.metrics;

import io.carrot.core.CarrotException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The definitions of every metric (the CARROT paper, RouterBench, RouteLLM, RouterArena). Costs
 * are mean USD per prompt, qualities mean scores in [0, 1]. Metrics that read the frontier at a
 * cost use the achievable {@link Frontier} (NDCH), so a router is credited with mixing two of its
 * settings exactly as the zero router is credited with mixing two models.
 */
public final class MetricFormulas {
  /** Budgets of {@link #qualityAtCostFraction}, as fractions of the best single model's cost. */
  public static final double[] COST_FRACTIONS = {0.1, 0.2, 0.3};

  /** RouterArena's weight of accuracy vs cost. */
  public static final double ROUTERARENA_BETA = 0.1;

  private MetricFormulas() {}

  /**
   * Normalized AUC (CARROT paper): the trapezoid area under the router's own points sorted by cost,
   * divided by the width of their cost range. Points of equal cost count once, at their best
   * quality (a deployer would pick that setting). A router with one cost has the quality there.
   */
  public static double normalizedAuc(List<Point> points) {
    if (points.isEmpty()) {
      throw new CarrotException("normalized AUC needs at least one point");
    }
    List<Point> sorted = new ArrayList<>(points);
    sorted.sort(Comparator.comparingDouble(Point::cost).thenComparing(Comparator.comparingDouble(Point::quality).reversed()));
    List<Point> distinct = new ArrayList<>();
    for (Point p : sorted) {
      if (distinct.isEmpty() || distinct.get(distinct.size() - 1).cost() != p.cost()) {
        distinct.add(p);
      }
    }
    if (distinct.size() == 1) {
      return distinct.get(0).quality();
    }
    double area = 0;
    for (int i = 1; i < distinct.size(); i++) {
      Point a = distinct.get(i - 1);
      Point b = distinct.get(i);
      area += (b.cost() - a.cost()) * (a.quality() + b.quality()) / 2;
    }
    return area / (distinct.get(distinct.size() - 1).cost() - distinct.get(0).cost());
  }

  /**
   * AIQ (RouterBench): the mean of the router's NDCH over the common cost range {@code [costMin,
   * costMax]} of the evaluation, so that routers are comparable. The NDCH is 0 below the router's
   * cheapest point and flat beyond its dearest. An empty range gives the NDCH at that cost.
   */
  public static double aiq(Frontier f, double costMin, double costMax) {
    if (costMax == costMin) {
      return f.qualityAt(costMin);
    }
    return f.integral(costMin, costMax) / (costMax - costMin);
  }

  /** AIQ over the anchors' common range. */
  public static double aiq(Frontier f, Anchors a) {
    return aiq(f, a.costMin(), a.costMax());
  }

  /**
   * PGR (RouteLLM): the share of the quality gap between the weak (cheapest) and the strong (best)
   * single model that {@code quality} recovers. NaN when the best model is also the cheapest.
   */
  public static double pgr(double quality, Anchors a) {
    if (!(a.bestQuality() > a.weakQuality())) {
      return Double.NaN;
    }
    return (quality - a.weakQuality()) / (a.bestQuality() - a.weakQuality());
  }

  /**
   * The cost-equivalent share of strong-model calls at mean cost {@code c}: the share {@code s}
   * with {@code c = (1 - s) * weakCost + s * bestCost}, i.e. the call share of a weak/strong mix
   * with that cost. For a RouteLLM binary router over the same pair it is the call share when
   * per-prompt costs are constant; for a many-model router it puts every router on one axis.
   */
  public static double strongShare(double c, Anchors a) {
    return (c - a.weakCost()) / (a.bestCost() - a.weakCost());
  }

  /**
   * APGR (RouteLLM): the area under PGR as the cost-equivalent strong share goes from 0 to 1,
   * i.e. {@code PGR(AIQ over [weakCost, bestCost])}. NaN when the best single model is the
   * cheapest (no gap, no range).
   */
  public static double apgr(Frontier f, Anchors a) {
    if (!(a.bestCost() > a.weakCost()) || !(a.bestQuality() > a.weakQuality())) {
      return Double.NaN;
    }
    return pgr(aiq(f, a.weakCost(), a.bestCost()), a);
  }

  /**
   * CPT(x) (RouteLLM): the smallest cost-equivalent strong share (in [0, 1]) at which the frontier
   * reaches PGR {@code x} (e.g. 0.5 for CPT(50%)). NaN when it does not within the strong model's
   * cost, or when PGR is undefined.
   */
  public static double cpt(Frontier f, Anchors a, double x) {
    if (!(a.bestCost() > a.weakCost()) || !(a.bestQuality() > a.weakQuality())) {
      return Double.NaN;
    }
    double target = a.weakQuality() + x * (a.bestQuality() - a.weakQuality());
    double c = f.costToReach(target);
    if (Double.isNaN(c) || c > a.bestCost()) {
      return Double.NaN;
    }
    return Math.max(0, strongShare(c, a));
  }

  /**
   * Cost to match the best single model (the CARROT headline): the smallest mean cost at which the
   * frontier reaches the best single model's quality, as a fraction of that model's mean cost. NaN
   * when it never does.
   */
  public static double costFractionToMatchBest(Frontier f, Anchors a) {
    double c = f.costToReach(a.bestQuality());
    return c / a.bestCost();
  }

  /**
   * Quality at a cost fraction (the paper's spider plot): the frontier's quality at mean cost
   * {@code fraction x} the best single model's cost, divided by that model's quality. NaN
   * (unreachable, not 0) when the router cannot operate that cheaply, and when the best model's
   * quality is 0 (nothing to keep a share of).
   */
  public static double qualityAtCostFraction(Frontier f, Anchors a, double fraction) {
    double budget = fraction * a.bestCost();
    if (!f.reaches(budget) || !(a.bestQuality() > 0)) {
      return Double.NaN;
    }
    return f.qualityAt(budget) / a.bestQuality();
  }

  /**
   * RouterArena's score of one operating point: {@code S = (1 + b) A C / (b A + C)} with {@code
   * b = 0.1}, {@code A} the accuracy and {@code C = (log2 200 - log2 c) / (log2 200 - log2 0.0044)}
   * for {@code c} USD per 1000 queries, clamped to [0, 1].
   */
  public static double routerArena(double accuracy, double meanCostUsd) {
    double c = meanCostUsd * 1000;
    double hi = Math.log(200) / Math.log(2);
    double lo = Math.log(0.0044) / Math.log(2);
    double costScore = c <= 0 ? 1 : Math.max(0, Math.min(1, (hi - Math.log(c) / Math.log(2)) / (hi - lo)));
    double den = ROUTERARENA_BETA * accuracy + costScore;
    return den == 0 ? 0 : (1 + ROUTERARENA_BETA) * accuracy * costScore / den;
  }

  /** The best RouterArena score over a router's operating points (its best setting). */
  public static double routerArena(List<Point> points) {
    double best = Double.NEGATIVE_INFINITY;
    for (Point p : points) {
      best = Math.max(best, routerArena(p.quality(), p.cost()));
    }
    return best;
  }

  /** Mean absolute error over every cell of two equally shaped matrices (e.g. output tokens). */
  public static double meanAbsoluteError(double[][] predicted, double[][] truth) {
    if (predicted.length != truth.length || truth.length == 0) {
      throw new CarrotException("MAE needs two non-empty matrices of equal rows, got " + predicted.length + " and " + truth.length);
    }
    double s = 0;
    long n = 0;
    for (int i = 0; i < truth.length; i++) {
      if (predicted[i].length != truth[i].length) {
        throw new CarrotException("MAE row " + i + " has " + predicted[i].length + " predictions for " + truth[i].length + " values");
      }
      for (int j = 0; j < truth[i].length; j++) {
        s += Math.abs(predicted[i][j] - truth[i][j]);
        n++;
      }
    }
    return s / n;
  }

  /** Model-selection share: the fraction of prompts routed to each of {@code models} models. */
  public static double[] selectionShare(int[] choices, int models) {
    double[] share = new double[models];
    for (int c : choices) {
      share[c]++;
    }
    for (int m = 0; m < models; m++) {
      share[m] /= choices.length;
    }
    return share;
  }
}
