package io.carrot.core.route;

import io.carrot.core.CarrotException;
import io.carrot.core.index.ExactKnnIndex;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * How much a prompt's nearest training prompts say about it, learned from the training data:
 * the weight of the estimator's prediction against the priors as a non-decreasing function of the
 * prompt's similarity {@code s} (mean cosine similarity of its {@code k} nearest training prompts).
 *
 * <p><b>The question it answers.</b> Is a prompt that the training data covers this well routed
 * better by its neighbours than by the priors? A prompt unlike the training data's is usually of a
 * kind the router has not seen, and on the shipped datasets what other sources' neighbours say
 * about a held-out source is worth nothing or worse (their per-model deviations from the priors
 * point the wrong way). So the curve is measured on two probes of every sampled training prompt:
 * <ul>
 *   <li><i>seen kind</i>: its {@code k} nearest other training prompts (leave-one-out), as for a new
 *       prompt from a source the router was trained on;
 *   <li><i>unseen kind</i>: its {@code k} nearest prompts of the <i>other</i> sources, as for a
 *       prompt of a source the router has never seen.
 * </ul>
 * Each probe gives a similarity {@code s}, the neighbours' per-model mean quality minus the priors
 * {@code d}, and the prompt's own quality minus the priors {@code r}. The least-squares weight of
 * {@code d} for {@code r} among monotone functions of {@code s} (weighted isotonic regression of
 * {@code <d, r> / <d, d>} with weights {@code <d, d>}, pool-adjacent-violators) is divided by the
 * seen-kind probes' overall least-squares weight, so that 1 means "as informative as for a typical
 * training prompt", and clipped to [0, 1]. The two probes count equally: nothing in a training set
 * says how often traffic will bring a kind of prompt it lacks.
 *
 * <p><b>The decision curve.</b> The least-squares weight counts every model alike, so neighbours
 * right about how the weak models swing but wrong about which model leads keep much of their
 * weight. The same probes also record, for each weight {@code v} of a grid over [0, 1], the
 * quality the probe's prompt got from the model with the highest {@code prior + v * d} (the choice
 * at mu = 0). Pool-adjacent-violators over the probes in similarity order, each block at the
 * smallest {@code v} with the highest summed quality, divided by the seen-kind probes' overall best
 * {@code v} and clipped to [0, 1], is the decision curve; the stored curve is the smaller of the
 * two at every knot of either. When the seen kind's best {@code v} is 0 there is no decision curve.
 *
 * <p><b>When it is not learned.</b> With fewer than two sources of at least {@code k + 1} sampled
 * prompts (nothing to hold out), or when the neighbours carry no signal even for the seen kind
 * (overall weight &lt;= 0), {@link #fit} returns null and {@link Support} keeps its Tukey rule.
 *
 * <p>The curve is stored as knots (the similarity-weighted centre of each isotonic block and its
 * weight) and read by linear interpolation, constant beyond the ends; immutable.
 */
public final class TransferCurve {
  private final double[] similarity;
  private final double[] weight;

  /**
   * @param similarity ascending knots
   * @param weight non-decreasing weights in [0, 1], one per knot
   */
  public TransferCurve(double[] similarity, double[] weight) {
    if (similarity.length == 0 || similarity.length != weight.length) {
      throw new CarrotException("a transfer curve needs one weight per knot and at least one knot, got "
          + similarity.length + " knots and " + weight.length + " weights");
    }
    for (int i = 0; i < weight.length; i++) {
      if (!(weight[i] >= 0 && weight[i] <= 1) || !Double.isFinite(similarity[i])) {
        throw new CarrotException("transfer curve knot " + i + ": weight must be in [0, 1] and similarity finite, got "
            + weight[i] + " at " + similarity[i]);
      }
      if (i > 0 && (similarity[i] < similarity[i - 1] || weight[i] < weight[i - 1])) {
        throw new CarrotException("transfer curve knots must ascend in similarity and weight; knot " + i + " does not");
      }
    }
    this.similarity = similarity.clone();
    this.weight = weight.clone();
  }

  /** The weight at similarity {@code s}: linear between knots, the end values beyond them. */
  public double weight(double s) {
    int n = similarity.length;
    if (s <= similarity[0]) {
      return weight[0];
    }
    if (s >= similarity[n - 1]) {
      return weight[n - 1];
    }
    int hi = Arrays.binarySearch(similarity, s);
    if (hi >= 0) {
      return weight[hi];
    }
    hi = -hi - 1;
    int lo = hi - 1;
    double span = similarity[hi] - similarity[lo];
    return span == 0 ? weight[hi] : weight[lo] + (weight[hi] - weight[lo]) * (s - similarity[lo]) / span;
  }

  /** The knots' similarities, ascending. */
  public double[] similarity() {
    return similarity.clone();
  }

  /** The knots' weights. */
  public double[] weights() {
    return weight.clone();
  }

  /**
   * Learns the curve from sampled training prompts, or returns null when it cannot (see the class
   * comment).
   *
   * @param index the sampled training vectors
   * @param source each sampled row's source (benchmark or task); null entries count as one source
   * @param seenNear each row's {@code k} nearest other rows (its leave-one-out neighbours)
   * @param quality each sampled row's per-model quality, {@code NaN} where not observed
   * @param prior each model's mean quality on the training data
   */
  public static TransferCurve fit(ExactKnnIndex index, String[] source, int[][] seenNear, double[][] quality, double[] prior, int k) {
    return fit(index, source, seenNear, quality, prior, k, DECISION);
  }

  /** As {@link #fit(ExactKnnIndex, String[], int[][], double[][], double[], int)}; the decision curve only when {@code decision}. */
  static TransferCurve fit(
      ExactKnnIndex index, String[] source, int[][] seenNear, double[][] quality, double[] prior, int k, boolean decision) {
    int n = index.size();
    String[] src = IntStream.range(0, n).mapToObj(i -> source[i] == null ? "" : source[i]).toArray(String[]::new);
    String[] kinds = Arrays.stream(src).distinct().sorted().toArray(String[]::new);
    int usable = 0;
    for (String kind : kinds) {
      long rows = Arrays.stream(src).filter(kind::equals).count();
      usable += rows > k && n - rows >= k ? 1 : 0;
    }
    if (usable < 2) {
      return null;
    }
    // probes 0..n-1: each row's seen-kind neighbours; n..2n-1: its unseen-kind ones (null: no other source to ask)
    int[][] near = new int[2 * n][];
    System.arraycopy(seenNear, 0, near, 0, n);
    for (String kind : kinds) {
      boolean[] same = new boolean[n];
      int[] rows = IntStream.range(0, n).filter(i -> src[i].equals(kind)).toArray();
      if (n - rows.length < k) {
        continue;
      }
      for (int i : rows) {
        same[i] = true;
      }
      int[][] other = index.topK(Arrays.stream(rows).mapToObj(index::row).toArray(float[][]::new), k, same);
      for (int q = 0; q < rows.length; q++) {
        near[n + rows[q]] = other[q];
      }
    }
    double[] s = new double[2 * n];
    double[] a = new double[2 * n];
    double[] b = new double[2 * n];
    double[][] d = new double[2 * n][];
    for (int p = 0; p < 2 * n; p++) {
      if (near[p] == null) {
        s[p] = Double.NaN; // left out
      } else {
        d[p] = deviation(near[p], quality, prior);
        probe(index, p % n, near[p], d[p], quality, prior, s, a, b, p);
      }
    }
    double seenA = 0;
    double seenB = 0;
    for (int i = 0; i < n; i++) {
      seenA += a[i];
      seenB += b[i];
    }
    if (!(seenB > 0) || !(seenA / seenB > 0)) {
      return null;
    }
    TransferCurve bySquares = isotonic(s, a, b, seenA / seenB);
    if (bySquares == null || !decision) {
      return bySquares;
    }
    double[][] u = new double[2 * n][];
    for (int p = 0; p < 2 * n; p++) {
      u[p] = near[p] == null ? null : decisionProbe(p % n, d[p], quality, prior);
    }
    TransferCurve byDecision = byDecision(s, u, n);
    return byDecision == null ? bySquares : smaller(bySquares, byDecision);
  }

  /**
   * Whether {@link #fit} caps the curve by the decision curve: on unless {@code
   * -Dcarrot.support.decision=false}, a diagnostic switch for comparing the two (docs/ROUTER.md).
   */
  static final boolean DECISION = Boolean.parseBoolean(System.getProperty("carrot.support.decision", "true"));

  /** Steps of the neighbours' weight tried by the decision probes: 0, 1/GRID, ..., 1. */
  static final int GRID = 20;

  /**
   * The quality row {@code i} would get at mu = 0 if its prediction were the prior plus {@code v}
   * times its neighbours' deviation {@code dev} from it ({@link #deviation}), for each {@code v} of
   * the grid; null when the row has no observed model.
   */
  private static double[] decisionProbe(int i, double[] dev, double[][] quality, double[] prior) {
    int m = prior.length;
    if (Arrays.stream(quality[i]).allMatch(Double::isNaN)) {
      return null;
    }
    double[] d = new double[m];
    for (int j = 0; j < m; j++) {
      d[j] = Double.isNaN(dev[j]) ? 0 : dev[j]; // no neighbour observed the model: its prior alone
    }
    double[] u = new double[GRID + 1];
    for (int v = 0; v <= GRID; v++) {
      double w = (double) v / GRID;
      int best = -1;
      for (int j = 0; j < m; j++) {
        if (!Double.isNaN(quality[i][j]) && (best < 0 || prior[j] + w * d[j] > prior[best] + w * d[best])) {
          best = j;
        }
      }
      u[v] = quality[i][best];
    }
    return u;
  }

  /**
   * The decision curve: the neighbours' weight that picks the best models at mu = 0 among monotone
   * functions of similarity (pool-adjacent-violators on summed utilities, each block at its best
   * grid weight), divided by the seen-kind probes' overall best weight; null when that is 0 (the
   * neighbours' deviations do not improve the choice even for a seen kind).
   */
  static TransferCurve byDecision(double[] s, double[][] u, int n) {
    double[] seen = new double[GRID + 1];
    for (int i = 0; i < n; i++) {
      if (u[i] != null && !Double.isNaN(s[i])) {
        add(seen, u[i]);
      }
    }
    int reference = best(seen);
    if (reference == 0) {
      return null;
    }
    Integer[] order = IntStream.range(0, s.length).filter(i -> u[i] != null && !Double.isNaN(s[i])).boxed()
        .sorted(Comparator.comparingDouble(i -> s[i])).toArray(Integer[]::new);
    double[][] bu = new double[order.length][];
    double[] bs = new double[order.length];
    int[] bn = new int[order.length];
    int top = 0;
    double lastS = Double.NaN;
    for (int i : order) {
      if (s[i] != lastS) {
        bu[top] = new double[GRID + 1];
        bs[top] = 0;
        bn[top] = 0;
        top++;
        lastS = s[i];
      }
      add(bu[top - 1], u[i]);
      bs[top - 1] += s[i];
      bn[top - 1]++;
      while (top > 1 && best(bu[top - 2]) >= best(bu[top - 1])) {
        add(bu[top - 2], bu[top - 1]);
        bs[top - 2] += bs[top - 1];
        bn[top - 2] += bn[top - 1];
        top--;
      }
    }
    double[] knots = new double[top];
    double[] w = new double[top];
    for (int j = 0; j < top; j++) {
      knots[j] = j == 0 ? bs[j] / bn[j] : Math.max(knots[j - 1], bs[j] / bn[j]);
      w[j] = Math.min(1, (double) best(bu[j]) / reference);
    }
    return new TransferCurve(knots, w);
  }

  private static void add(double[] into, double[] u) {
    for (int v = 0; v < into.length; v++) {
      into[v] += u[v];
    }
  }

  /** The smallest grid step with the largest summed utility. */
  private static int best(double[] u) {
    int b = 0;
    for (int v = 1; v < u.length; v++) {
      if (u[v] > u[b] + 1e-9) {
        b = v;
      }
    }
    return b;
  }

  /** The smaller of two curves at every knot of either, linear between. */
  static TransferCurve smaller(TransferCurve x, TransferCurve y) {
    double[] knots = java.util.stream.DoubleStream.concat(Arrays.stream(x.similarity), Arrays.stream(y.similarity))
        .sorted().distinct().toArray();
    double[] w = new double[knots.length];
    for (int i = 0; i < knots.length; i++) {
      w[i] = Math.min(x.weight(knots[i]), y.weight(knots[i]));
    }
    return new TransferCurve(knots, w);
  }

  /**
   * One probe of row {@code i} by the neighbours {@code near}, whose deviation from the prior is
   * {@code d}: its similarity and the two inner products, at {@code at}.
   */
  private static void probe(ExactKnnIndex index, int i, int[] near, double[] d, double[][] quality, double[] prior,
      double[] s, double[] a, double[] b, int at) {
    double sim = 0;
    for (float v : index.similarities(index.row(i), near)) {
      sim += v;
    }
    s[at] = sim / near.length;
    double ab = 0;
    double bb = 0;
    for (int j = 0; j < prior.length; j++) {
      double own = quality[i][j];
      if (Double.isNaN(own) || Double.isNaN(d[j])) {
        continue;
      }
      ab += d[j] * (own - prior[j]);
      bb += d[j] * d[j];
    }
    a[at] = ab;
    b[at] = bb;
  }

  /** The neighbours' mean quality minus the prior, per model; NaN where no neighbour observed the model. */
  private static double[] deviation(int[] near, double[][] quality, double[] prior) {
    double[] d = new double[prior.length];
    for (int j = 0; j < prior.length; j++) {
      double sum = 0;
      int seen = 0;
      for (int r : near) {
        if (!Double.isNaN(quality[r][j])) {
          sum += quality[r][j];
          seen++;
        }
      }
      d[j] = seen == 0 ? Double.NaN : sum / seen - prior[j];
    }
    return d;
  }

  /** Weighted pool-adjacent-violators over the probes in similarity order, as knots, scaled by {@code reference}. */
  static TransferCurve isotonic(double[] s, double[] a, double[] b, double reference) {
    Integer[] order = IntStream.range(0, s.length).filter(i -> !Double.isNaN(s[i]) && b[i] > 0).boxed()
        .sorted(Comparator.comparingDouble(i -> s[i])).toArray(Integer[]::new);
    if (order.length == 0) {
      return null;
    }
    // blocks: summed a and b (the block's value is a / b), summed b * s for the centre
    double[] ba = new double[order.length];
    double[] bb = new double[order.length];
    double[] bs = new double[order.length];
    int top = 0;
    double lastS = Double.NaN;
    for (int i : order) {
      if (s[i] == lastS) { // probes at the same similarity are one point (duplicated prompts give many)
        ba[top - 1] += a[i];
        bb[top - 1] += b[i];
        bs[top - 1] += b[i] * s[i];
      } else {
        ba[top] = a[i];
        bb[top] = b[i];
        bs[top] = b[i] * s[i];
        top++;
        lastS = s[i];
      }
      while (top > 1 && ba[top - 2] / bb[top - 2] >= ba[top - 1] / bb[top - 1]) {
        ba[top - 2] += ba[top - 1];
        bb[top - 2] += bb[top - 1];
        bs[top - 2] += bs[top - 1];
        top--;
      }
    }
    double[] knots = new double[top];
    double[] w = new double[top];
    for (int j = 0; j < top; j++) {
      // a block's centre lies within its similarities, which follow the previous block's; the max
      // only undoes rounding (a block of equal similarities may centre an ulp below them)
      knots[j] = j == 0 ? bs[j] / bb[j] : Math.max(knots[j - 1], bs[j] / bb[j]);
      w[j] = Math.max(0, Math.min(1, ba[j] / bb[j] / reference));
    }
    return new TransferCurve(knots, w);
  }
}
