package io.carrot.core.route;

import io.carrot.core.CarrotException;
import io.carrot.core.predict.ConstantPredictor;
import io.carrot.core.index.ExactKnnIndex;
import io.carrot.core.predict.Dimensions;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.TrainingSet;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * How well a router's training data covers a prompt, and the fallback toward the model priors
 * where it does not. Works for every estimator: it keeps its own sample of training vectors and
 * the priors, whatever the predictor keeps.
 *
 * <p><b>The figure.</b> A prompt's similarity {@code s(x)} is the mean cosine similarity of its
 * {@link #K} nearest training prompts. The same figure for each training prompt, leave-one-out
 * (its {@code K} nearest <i>other</i> training prompts), is the reference distribution: how close
 * the training prompts are to each other. The support is {@code s(x)} as a percentile of that
 * reference, in [0, 1], so its scale is the router's own: 0.5 means "as well covered as the median
 * training prompt", 0 "less than any training prompt".
 *
 * <p><b>Low support.</b> A prompt is {@code low} when {@code s(x)} is below the reference's lower
 * Tukey fence, {@code Q1 - 1.5 * IQR} (quartiles of the reference): it is an outlier among the
 * training set's own neighbour similarities. The level is derived from each router's own
 * reference, not tuned on any dataset. With a learned weight (below), a prompt is also low when its
 * prediction weighs less than {@link #LOW_WEIGHT} against the priors.
 *
 * <p><b>Fallback.</b> Predictions move toward the priors (each model's mean quality, output tokens
 * and input tokens on the training data: the prompt-blind router) with weight {@code w} on the
 * prediction. The input tokens the rule prices move too ({@link Prediction.InputTokens}): a prompt's
 * length is as much a prompt feature as its vector, and where the estimator's quality is not
 * trusted, pricing the prompt's own length alone would send long prompts (often the harder ones) to
 * cheap models on the strength of a feature whose link to quality the router never saw.
 * The Tukey rule: {@code w = 0} below the fence, {@code w = 1} from {@code Q1} up (the best-covered
 * three quarters of training prompts are untouched), and the smoothstep {@code 3t^2 - 2t^3} of
 * {@code t = (s - fence) / (Q1 - fence)} between, so decisions change smoothly with support. When
 * the training data has two or more sources, the weight is also learned from them: a {@link
 * TransferCurve} measures, on the training prompts themselves, how much neighbours at each
 * similarity say about a prompt, as for a prompt of a seen source and as for one of a source held
 * out; {@code w} is the smaller of the two rules. A prompt at {@code w = 0} is routed exactly like
 * the prompt-blind router at every mu (at mu = 0, to the model best on the training data) when the
 * input-token priors are known.
 *
 * <p><b>Cost.</b> At most {@link #MAX_SAMPLE} training vectors are kept (a seeded random sample
 * when there are more; the reference is computed on the same sample, so both sides of the
 * comparison use one store): one exact scan of at most 4096 rows per prompt. Immutable and
 * thread-safe.
 */
public final class Support {
  /** Neighbours averaged into a prompt's similarity. */
  public static final int K = 10;
  /** Training vectors kept at most. */
  public static final int MAX_SAMPLE = 4096;
  /** With a learned weight, a prompt whose prediction weighs less than this against the priors is low. */
  public static final double LOW_WEIGHT = 0.5;
  /** The Tukey fence's multiple of the interquartile range. */
  public static final double FENCE_IQR = 1.5;

  /**
   * One prompt's support.
   *
   * @param similarity mean cosine similarity of its nearest training prompts
   * @param percentile that similarity as a percentile of the training prompts' own, in [0, 1]
   * @param low true below the lower fence: routed like the prompt-blind router
   * @param weight weight of the estimator's prediction against the priors, in [0, 1]
   */
  public record Level(double similarity, double percentile, boolean low, double weight) {}

  private final ExactKnnIndex sample;
  private final int k;
  private final float[] reference;
  private final double[] priorQuality;
  private final double[] priorTokens;
  private final double[] priorInputTokens;
  private final int trainRows;
  private final Map<String, Integer> sources;
  private final double q1;
  private final double fence;
  private final TransferCurve transfer;

  /**
   * @param sample the kept training vectors (unit length)
   * @param k neighbours averaged, in [1, sample size - 1]
   * @param reference each kept vector's leave-one-out similarity (any order)
   * @param priorQuality each model's mean quality on the training data
   * @param priorTokens each model's mean output tokens on the training data
   * @param trainRows training prompts the sample was drawn from
   * @param sources training prompts by source (benchmark or task), what the router has seen; may be
   *     empty when unknown
   */
  public Support(
      float[][] sample, int k, float[] reference, double[] priorQuality, double[] priorTokens, int trainRows,
      Map<String, Integer> sources) {
    this(sample, k, reference, priorQuality, priorTokens, trainRows, sources, null);
  }

  /**
   * As {@link #Support(float[][], int, float[], double[], double[], int, Map)}, with the weight
   * learned from the training data's sources.
   *
   * @param transfer the prediction's weight by similarity, or null for the Tukey rule alone
   */
  public Support(
      float[][] sample, int k, float[] reference, double[] priorQuality, double[] priorTokens, int trainRows,
      Map<String, Integer> sources, TransferCurve transfer) {
    this(sample, k, reference, priorQuality, priorTokens, null, trainRows, sources, transfer);
  }

  /**
   * As {@link #Support(float[][], int, float[], double[], double[], int, Map, TransferCurve)}, with
   * the input tokens the fallback prices.
   *
   * @param priorInputTokens each model's mean input tokens on the training data, or null when unknown
   *     (the fallback then prices each prompt's own count)
   */
  public Support(
      float[][] sample, int k, float[] reference, double[] priorQuality, double[] priorTokens, double[] priorInputTokens,
      int trainRows, Map<String, Integer> sources, TransferCurve transfer) {
    if (sample.length < 2 || reference.length != sample.length) {
      throw new CarrotException("support needs at least 2 sample vectors and one reference value each, got "
          + sample.length + " and " + reference.length);
    }
    if (k < 1 || k >= sample.length) {
      throw new CarrotException("support k must be in [1, " + (sample.length - 1) + "], got " + k);
    }
    if (priorQuality.length != priorTokens.length || priorQuality.length == 0) {
      throw new CarrotException("support priors need one quality and one token value per model");
    }
    if (priorInputTokens != null && priorInputTokens.length != priorQuality.length) {
      throw new CarrotException("support priors need one input-token value per model, got "
          + priorInputTokens.length + " for " + priorQuality.length);
    }
    this.sample = new ExactKnnIndex(sample);
    this.k = k;
    this.reference = reference.clone();
    Arrays.sort(this.reference);
    this.priorQuality = priorQuality.clone();
    this.priorTokens = priorTokens.clone();
    this.priorInputTokens = priorInputTokens == null ? null : priorInputTokens.clone();
    this.trainRows = trainRows;
    this.sources = sources == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(sources));
    this.q1 = quantile(this.reference, 0.25);
    this.fence = q1 - FENCE_IQR * (quantile(this.reference, 0.75) - q1);
    this.transfer = transfer;
  }

  /**
   * The support of a training set: the priors and (a sample of at most {@link #MAX_SAMPLE} of) its
   * vectors with their leave-one-out similarities; null when it has fewer than 2 prompts. No
   * sources are known, so the weight follows the Tukey rule alone.
   *
   * @param seed chooses the sample when there are more rows than {@link #MAX_SAMPLE}
   */
  public static Support fit(TrainingSet ts, long seed) {
    return fit(ts, null, seed);
  }

  /**
   * As {@link #fit(TrainingSet, long)}, and where {@code source} names at least two sources, the
   * weight is also learned from them ({@link TransferCurve}): the smaller of the two rules applies.
   *
   * @param source each training row's source (benchmark or task), or null when unknown
   */
  public static Support fit(TrainingSet ts, String[] source, long seed) {
    return fit(ts, source, seed, TransferCurve.DECISION);
  }

  /** As {@link #fit(TrainingSet, String[], long)}; the learned weight capped by its decision curve only when {@code decision}. */
  static Support fit(TrainingSet ts, String[] source, long seed, boolean decision) {
    int n = ts.size();
    if (n < 2) {
      return null;
    }
    if (source != null && source.length != n) {
      throw new CarrotException("support needs one source per training row, got " + source.length + " for " + n + " rows");
    }
    int[] kept = IntStream.range(0, n).toArray();
    if (n > MAX_SAMPLE) {
      List<Integer> order = new java.util.ArrayList<>(IntStream.range(0, n).boxed().toList());
      java.util.Collections.shuffle(order, new Random(seed));
      kept = order.subList(0, MAX_SAMPLE).stream().mapToInt(Integer::intValue).sorted().toArray();
    }
    float[][] rows = Arrays.stream(kept).mapToObj(i -> ts.embeddings()[i]).toArray(float[][]::new);
    int k = Math.min(K, rows.length - 1);
    ExactKnnIndex index = new ExactKnnIndex(rows);
    int[][] near = index.topK(rows, k + 1, null);
    float[] ref = new float[rows.length];
    int[][] seen = new int[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      seen[i] = others(near[i], i, k);
      ref[i] = (float) meanSimilarity(index, rows[i], seen[i]);
    }
    ConstantPredictor prior = ConstantPredictor.fit(ts);
    TransferCurve transfer = source == null ? null : TransferCurve.fit(index, Arrays.stream(kept).mapToObj(i -> source[i])
        .toArray(String[]::new), seen, Arrays.stream(kept).mapToObj(i -> ts.quality()[i]).toArray(double[][]::new),
        prior.quality(), k, decision);
    return new Support(rows, k, ref, prior.quality(), prior.tokens(), meanInputTokens(ts), n, Map.of(), transfer);
  }

  /** Each model's mean input tokens over the rows that count them, or null without costs. */
  private static double[] meanInputTokens(TrainingSet ts) {
    if (ts.costs() == null) {
      return null;
    }
    int m = ts.models().size();
    double[] sum = new double[m];
    int[] count = new int[m];
    for (double[] row : ts.costs().inputTokens()) {
      for (int j = 0; j < m; j++) {
        if (Double.isFinite(row[j])) {
          sum[j] += row[j];
          count[j]++;
        }
      }
    }
    for (int j = 0; j < m; j++) {
      if (count[j] == 0) {
        return null;
      }
      sum[j] /= count[j];
    }
    return sum;
  }

  /** This support with the training prompts counted by source. */
  public Support withSources(Map<String, Integer> bySource) {
    return new Support(sample(), k, reference, priorQuality, priorTokens, priorInputTokens, trainRows, bySource, transfer);
  }

  /** {@code near} without row {@code self} (or without its last entry when self is absent), k long. */
  private static int[] others(int[] near, int self, int k) {
    int[] out = new int[k];
    int o = 0;
    for (int j : near) {
      if (j != self && o < k) {
        out[o++] = j;
      }
    }
    return out;
  }

  private static double meanSimilarity(ExactKnnIndex index, float[] q, int[] rows) {
    double s = 0;
    for (float v : index.similarities(q, rows)) {
      s += v;
    }
    return s / rows.length;
  }

  /** The support of one embedded prompt. */
  public Level level(float[] embedding) {
    Dimensions.check(embedding, sample.dimension());
    return levelOf(meanSimilarity(sample, embedding, sample.topK(embedding, k, null)));
  }

  /** The support of many embedded prompts, each as {@link #level(float[])} gives it. */
  public Level[] levels(float[][] embeddings) {
    int[][] near = sample.topK(embeddings, k, null);
    Level[] out = new Level[embeddings.length];
    for (int i = 0; i < embeddings.length; i++) {
      out[i] = levelOf(meanSimilarity(sample, embeddings[i], near[i]));
    }
    return out;
  }

  private Level levelOf(double s) {
    double w = weight(s);
    return new Level(s, percentile(s), s < fence || (transfer != null && w < LOW_WEIGHT), w);
  }

  /** Share of the reference below {@code s}, ties counted half (two binary searches of the sorted reference). */
  private double percentile(double s) {
    int below = firstAtLeast(s, false);
    int notAbove = firstAtLeast(s, true);
    return (below + 0.5 * (notAbove - below)) / reference.length;
  }

  /** Index of the first reference value >= s (or > s when {@code strictlyAbove}). */
  private int firstAtLeast(double s, boolean strictlyAbove) {
    int lo = 0;
    int hi = reference.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (reference[mid] < s || (strictlyAbove && reference[mid] == s)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private double weight(double s) {
    return transfer == null ? tukeyWeight(s) : Math.min(tukeyWeight(s), transfer.weight(s));
  }

  private double tukeyWeight(double s) {
    if (s >= q1) {
      return 1;
    }
    if (s < fence || q1 == fence) {
      return 0;
    }
    double t = (s - fence) / (q1 - fence);
    return t * t * (3 - 2 * t);
  }

  /** {@code p} moved toward the priors by {@code level}'s weight; {@code p} itself at weight 1. */
  public Prediction towardPriors(Prediction p, Level level) {
    double w = level.weight();
    if (w == 1) {
      return p;
    }
    int m = priorQuality.length;
    if (p.quality().length != m) {
      throw new CarrotException("support priors cover " + m + " models, the prediction " + p.quality().length);
    }
    double[] q = new double[m];
    double[] t = new double[m];
    for (int j = 0; j < m; j++) {
      q[j] = w * p.quality()[j] + (1 - w) * priorQuality[j];
      t[j] = w * p.outputTokens()[j] + (1 - w) * priorTokens[j];
    }
    return new Prediction(q, t, priorInputTokens == null ? null : new Prediction.InputTokens(w, priorInputTokens));
  }

  /** Linear-interpolation quantile of ascending {@code v} (the usual "type 7"). */
  static double quantile(float[] v, double p) {
    double h = (v.length - 1) * p;
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, v.length - 1);
    return v[lo] + (h - lo) * (v[hi] - v[lo]);
  }

  /** Neighbours averaged. */
  public int k() {
    return k;
  }

  /** The weight learned from the training data's sources, if it was. */
  public java.util.Optional<TransferCurve> transfer() {
    return java.util.Optional.ofNullable(transfer);
  }

  /** The kept training vectors, copied out. */
  public float[][] sample() {
    float[][] out = new float[sample.size()][];
    for (int j = 0; j < out.length; j++) {
      out[j] = sample.row(j);
    }
    return out;
  }

  /** The reference similarities, ascending. */
  public float[] reference() {
    return reference.clone();
  }

  /** Each model's mean quality on the training data. */
  public double[] priorQuality() {
    return priorQuality.clone();
  }

  /** Each model's mean output tokens on the training data. */
  public double[] priorTokens() {
    return priorTokens.clone();
  }

  /** Each model's mean input tokens on the training data, or null when unknown. */
  public double[] priorInputTokens() {
    return priorInputTokens == null ? null : priorInputTokens.clone();
  }

  /** Training prompts the sample was drawn from. */
  public int trainRows() {
    return trainRows;
  }

  /** Training prompts by source, sorted by name; empty when unknown. */
  public Map<String, Integer> sources() {
    return sources;
  }

  /** Dimension of the vectors. */
  public int dimension() {
    return sample.dimension();
  }

  /** The similarity below which a prompt has low support (the lower fence). */
  public double fence() {
    return fence;
  }

  /** The similarity from which predictions are used unchanged (the reference's first quartile). */
  public double fullWeightFrom() {
    return q1;
  }
}
