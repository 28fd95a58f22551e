package io.carrot.core.curve;

import io.carrot.core.metrics.Frontier;
import io.carrot.core.metrics.Point;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The oracle's exact frontier: for every price of quality {@code lambda} (USD per unit of mean
 * quality), each prompt goes to the model with the best true {@code quality - cost / lambda}.
 * Because the objective is a sum over prompts, these per-prompt choices maximize mean quality at
 * their mean cost over every possible router, so the frontier's NDCH is at or above every router's
 * at every cost: the ceiling the sanity check compares with.
 *
 * <p>Computed exactly, like a fractional knapsack: every prompt starts at its cheapest model (ties:
 * higher quality); the edges of each prompt's own (cost, quality) upper hull are upgrades; taking
 * all upgrades in order of decreasing quality-per-dollar traces the frontier, ending at {@link
 * Baselines#oracle}. The order does not depend on prompt weights, so a bootstrap resample only
 * re-sums. Points carry {@code param = NaN}.
 */
public final class OracleCurve implements RouterCurve {
  private final EvalSet set;
  private final int[] start;
  private final int[] edgePrompt;
  private final double[] edgeCost;
  private final double[] edgeQuality;
  private final double[] edgeSlope;

  public OracleCurve(EvalSet set) {
    this.set = set;
    int n = set.size();
    int m = set.modelCount();
    start = new int[n];
    List<double[]> edges = new ArrayList<>(); // prompt, dc, dq, slope
    for (int i = 0; i < n; i++) {
      List<Point> pts = new ArrayList<>(m);
      for (int j = 0; j < m; j++) {
        pts.add(new Point(j, set.cost()[i][j], set.quality()[i][j]));
      }
      List<Point> hull = Frontier.vertices(pts);
      start[i] = (int) hull.get(0).param();
      for (int h = 1; h < hull.size(); h++) {
        double dc = hull.get(h).cost() - hull.get(h - 1).cost();
        double dq = hull.get(h).quality() - hull.get(h - 1).quality();
        edges.add(new double[] {i, dc, dq, dq / dc});
      }
    }
    // steepest first; a prompt's own edges have decreasing slopes, so they stay in hull order
    edges.sort((a, b) -> Double.compare(b[3], a[3]) != 0 ? Double.compare(b[3], a[3]) : Double.compare(a[0], b[0]));
    int e = edges.size();
    edgePrompt = new int[e];
    edgeCost = new double[e];
    edgeQuality = new double[e];
    edgeSlope = new double[e];
    for (int k = 0; k < e; k++) {
      double[] x = edges.get(k);
      edgePrompt[k] = (int) x[0];
      edgeCost[k] = x[1];
      edgeQuality[k] = x[2];
      edgeSlope[k] = x[3];
    }
  }

  @Override
  public String paramName() {
    return "";
  }

  @Override
  public List<Point> points(int[] weights) {
    int[] w = weights;
    if (w == null) {
      w = new int[set.size()];
      Arrays.fill(w, 1);
    }
    double total = 0;
    double cs = 0;
    double qs = 0;
    for (int i = 0; i < start.length; i++) {
      total += w[i];
      cs += w[i] * set.cost()[i][start[i]];
      qs += w[i] * set.quality()[i][start[i]];
    }
    List<Point> out = new ArrayList<>();
    out.add(new Point(Double.NaN, cs / total, qs / total));
    for (int k = 0; k < edgePrompt.length; k++) {
      int wi = w[edgePrompt[k]];
      cs += wi * edgeCost[k];
      qs += wi * edgeQuality[k];
      // inside a collinear run (equal slopes) there is no vertex
      boolean lastOfRun = k + 1 == edgePrompt.length || edgeSlope[k + 1] != edgeSlope[k];
      if (lastOfRun) {
        out.add(new Point(Double.NaN, cs / total, qs / total));
      }
    }
    return out;
  }
}
