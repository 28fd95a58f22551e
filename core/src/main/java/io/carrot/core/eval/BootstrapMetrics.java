package io.carrot.core.eval;

import io.carrot.core.ProgressListener;
import io.carrot.core.curve.EvalSet;
import io.carrot.core.curve.SingleModels;
import io.carrot.core.eval.EvalReport.Interval;
import io.carrot.core.metrics.Anchors;
import io.carrot.core.metrics.Point;
import io.carrot.core.metrics.RouterMetrics;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * The metrics and bootstrap stage: every router's points and {@link RouterMetrics} on the test
 * prompts, and the same recomputed on bootstrap resamples of those prompts (resample r seeded with
 * {@code seed * 1000003 + r}, so results do not depend on thread scheduling; the best and weak
 * models stay those of the full set). The resampled values are kept, so any two routers can be
 * compared <em>paired</em>: both measured on the same resample.
 *
 * @param points each router's points on the full set
 * @param metrics each router's metrics on the full set
 * @param values {@code values[router][metric][resample]} in the order of {@code names} and {@link
 *     RouterMetrics#NAMES}; null without resamples
 * @param bestQuality the best single model's quality on each resample (null without resamples)
 * @param oracleQuality the oracle's top quality on each resample (null without resamples)
 */
record BootstrapMetrics(
    List<String> names,
    Map<String, List<Point>> points,
    Map<String, RouterMetrics> metrics,
    double[][][] values,
    double[] bestQuality,
    double[] oracleQuality) {

  /** Every curve of {@code curves} measured on the full set (no resamples yet). */
  static BootstrapMetrics measure(Map<String, NamedCurve> curves, Anchors anchors) {
    Map<String, List<Point>> points = new LinkedHashMap<>();
    Map<String, RouterMetrics> metrics = new LinkedHashMap<>();
    curves.forEach(
        (name, e) -> {
          List<Point> pts = e.curve().points();
          points.put(name, pts);
          metrics.put(name, RouterMetrics.of(pts, anchors, accuracyMu0(name, e, pts)));
        });
    return new BootstrapMetrics(List.copyOf(curves.keySet()), points, metrics, null, null, null);
  }

  /**
   * The same with every metric recomputed on {@code resamples} resamples of {@code test} (itself
   * when 0), the best and weak single models fixed to {@code best} and {@code weak}.
   */
  BootstrapMetrics resample(EvalSet test, Map<String, NamedCurve> curves, int best, int weak, int resamples, long seed,
      ProgressListener progress) {
    if (resamples == 0) {
      return this;
    }
    int b = resamples;
    double[][][] v = new double[names.size()][RouterMetrics.NAMES.size()][b];
    double[] bestQ = new double[b];
    double[] oracleQ = new double[b];
    int n = test.size();
    AtomicInteger done = new AtomicInteger();
    IntStream.range(0, b)
        .parallel()
        .forEach(
            r -> {
              int[] w = weights(n, seed, r);
              Anchors a = Anchors.of(SingleModels.points(test, w), best, weak);
              bestQ[r] = a.bestQuality();
              for (int x = 0; x < names.size(); x++) {
                NamedCurve e = curves.get(names.get(x));
                List<Point> pts = e.curve().points(w);
                double[] mv = RouterMetrics.of(pts, a, accuracyMu0(names.get(x), e, pts)).asMap().values().stream()
                    .mapToDouble(Double::doubleValue).toArray();
                for (int y = 0; y < mv.length; y++) {
                  v[x][y][r] = mv[y];
                }
                if (names.get(x).equals(BaselineCurves.ORACLE)) {
                  oracleQ[r] = pts.get(pts.size() - 1).quality();
                }
              }
              progress.update("bootstrap", done.incrementAndGet(), b);
            });
    return new BootstrapMetrics(names, points, metrics, v, bestQ, oracleQ);
  }

  /** How many times each of {@code n} prompts is drawn in resample {@code r}. */
  static int[] weights(int n, long seed, int r) {
    SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + r);
    int[] w = new int[n];
    for (int i = 0; i < n; i++) {
      w[rnd.nextInt(n)]++;
    }
    return w;
  }

  /** Quality at mu = 0 for routers with a mu (the grid starts there), the oracle's top; NaN for others. */
  static double accuracyMu0(String name, NamedCurve e, List<Point> pts) {
    if (e.hasMu()) {
      return pts.get(0).quality();
    }
    if (name.equals(BaselineCurves.ORACLE)) {
      return pts.get(pts.size() - 1).quality();
    }
    return Double.NaN;
  }

  boolean resampled() {
    return values != null;
  }

  /** Each router's 95% intervals by metric name (a metric that never exists has none). */
  Map<String, Map<String, Interval>> intervals() {
    Map<String, Map<String, Interval>> ci = new LinkedHashMap<>();
    for (int x = 0; x < names.size(); x++) {
      Map<String, Interval> per = new LinkedHashMap<>();
      for (int y = 0; y < RouterMetrics.NAMES.size(); y++) {
        Interval iv = percentile(values[x][y], RouterMetrics.nanIsLow(RouterMetrics.NAMES.get(y)));
        if (iv != null) {
          per.put(RouterMetrics.NAMES.get(y), iv);
        }
      }
      ci.put(names.get(x), per);
    }
    return ci;
  }

  /** Router {@code a}'s metric minus router {@code b}'s on each resample. */
  double[] pairedDifference(String a, String b, String metric) {
    int y = RouterMetrics.NAMES.indexOf(metric);
    double[] va = values[names.indexOf(a)][y];
    double[] vb = values[names.indexOf(b)][y];
    double[] d = new double[va.length];
    for (int r = 0; r < d.length; r++) {
      d[r] = va[r] - vb[r];
    }
    return d;
  }

  /** Router {@code a}'s accuracy at mu = 0 minus the best single model's quality on each resample. */
  double[] accuracyOverBest(String a) {
    double[] va = values[names.indexOf(a)][RouterMetrics.NAMES.indexOf("accuracy_mu0")];
    double[] d = new double[va.length];
    for (int r = 0; r < d.length; r++) {
      d[r] = va[r] - bestQuality[r];
    }
    return d;
  }

  /**
   * The 2.5% and 97.5% percentiles (nearest rank). NaN counts as "never" (+infinity): an upper
   * bound there is reported as NaN (unbounded). Null when every value is NaN.
   */
  static Interval percentile(double[] v) {
    return percentile(v, false);
  }

  /**
   * The 2.5% and 97.5% percentiles (nearest rank), NaN counting as +infinity ("never", e.g. a cost
   * that is never reached) or, with {@code nanIsLow}, as -infinity ("unreachable", e.g. a quality
   * at a budget the router cannot operate on); a bound that falls on a NaN is NaN. Null when every
   * value is NaN.
   */
  static Interval percentile(double[] v, boolean nanIsLow) {
    double nanAs = nanIsLow ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    double[] s = new double[v.length];
    int nan = 0;
    for (int i = 0; i < v.length; i++) {
      s[i] = Double.isNaN(v[i]) ? nanAs : v[i];
      if (Double.isNaN(v[i])) {
        nan++;
      }
    }
    if (nan == v.length) {
      return null;
    }
    Arrays.sort(s);
    double lo = s[rank(0.025, s.length)];
    double hi = s[rank(0.975, s.length)];
    return new Interval(Double.isInfinite(lo) ? Double.NaN : lo, Double.isInfinite(hi) ? Double.NaN : hi);
  }

  private static int rank(double p, int n) {
    return Math.min(n - 1, Math.max(0, (int) Math.ceil(p * n) - 1));
  }
}
