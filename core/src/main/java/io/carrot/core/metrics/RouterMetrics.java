package io.carrot.core.metrics;

import io.carrot.core.metrics.Point;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The headline numbers of one router on one split (see {@link MetricFormulas} for each definition). NaN
 * marks a number that does not exist (never reaches the target, a budget below the router's
 * cheapest point, no mu = 0 setting).
 *
 * @param qualityAtCostFraction one entry per {@link MetricFormulas#COST_FRACTIONS}, same order
 * @param accuracyMu0 mean quality at mu = 0, for routers with a mu; NaN otherwise
 * @param routerArena best RouterArena score over the router's points
 */
public record RouterMetrics(
    double auc,
    double aiq,
    double apgr,
    double cpt50,
    double cpt80,
    double costFractionToMatchBest,
    double[] qualityAtCostFraction,
    double accuracyMu0,
    double routerArena) {

  /** The metric names of {@link #asMap()}, in its order. */
  public static final List<String> NAMES =
      List.copyOf(new RouterMetrics(0, 0, 0, 0, 0, 0, new double[MetricFormulas.COST_FRACTIONS.length], 0, 0).asMap().keySet());

  /**
   * Whether a NaN of metric {@code name} (an {@link #asMap()} key) means "below every number"
   * rather than "beyond every number": a quality at a budget the router cannot operate on is
   * unreachable (the lowest outcome), while a cost that is never reached is the highest.
   */
  public static boolean nanIsLow(String name) {
    return name.startsWith("quality_at_cost_fraction_");
  }

  /** Every metric of a router from its operating points. */
  public static RouterMetrics of(List<Point> points, Anchors a, double accuracyMu0) {
    Frontier f = Frontier.of(points);
    double[] qf = new double[MetricFormulas.COST_FRACTIONS.length];
    for (int i = 0; i < qf.length; i++) {
      qf[i] = MetricFormulas.qualityAtCostFraction(f, a, MetricFormulas.COST_FRACTIONS[i]);
    }
    return new RouterMetrics(
        MetricFormulas.normalizedAuc(points),
        MetricFormulas.aiq(f, a),
        MetricFormulas.apgr(f, a),
        MetricFormulas.cpt(f, a, 0.5),
        MetricFormulas.cpt(f, a, 0.8),
        MetricFormulas.costFractionToMatchBest(f, a),
        qf,
        accuracyMu0,
        MetricFormulas.routerArena(points));
  }

  /** The metrics by their {@code metrics.json} names, in a fixed order (for tables and CIs). */
  public Map<String, Double> asMap() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("auc", auc);
    m.put("aiq", aiq);
    m.put("apgr", apgr);
    m.put("cpt50", cpt50);
    m.put("cpt80", cpt80);
    m.put("cost_fraction_to_match_best", costFractionToMatchBest);
    for (int i = 0; i < qualityAtCostFraction.length; i++) {
      m.put("quality_at_cost_fraction_" + MetricFormulas.COST_FRACTIONS[i], qualityAtCostFraction[i]);
    }
    m.put("accuracy_mu0", accuracyMu0);
    m.put("routerarena", routerArena);
    return m;
  }
}
