package io.carrot.core.predict.knn;

import io.carrot.core.CarrotException;
import io.carrot.core.index.VectorIndex;
import io.carrot.core.predict.Dimensions;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.Predictor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CARROT-KNN: the {@code k} training prompts most similar to the query (cosine) vote with uniform
 * weights; the prediction is the mean of their per-model quality and output tokens. Immutable.
 *
 * <p>Sparse training data ({@code NaN} targets where a model has no entry): each model averages
 * its own {@code k} nearest neighbours that have an entry, see {@link #searchWidth}.
 */
public final class KnnPredictor implements Predictor {
  /** The estimator kind recorded in router files. */
  public static final String KIND = "knn";

  private final List<String> models;
  private final VectorIndex index;
  private final float[] quality; // n x M row-major
  private final float[] tokens; // n x M row-major
  private final int k;
  private final Map<String, Object> diagnostics;
  private final boolean sparse; // some model lacks entries: average each model's labelled neighbours
  private final double[] globalQuality;
  private final double[] globalTokens;
  private final int searchWidth;

  /**
   * A predictor over the training prompts in {@code index}, averaging the targets of {@code k}
   * neighbours.
   *
   * @param quality per training row and model, row-major n x M
   * @param tokens per training row and model, row-major n x M
   * @param diagnostics fit information to record (e.g. the CV curve); copied
   */
  public KnnPredictor(
      List<String> models, VectorIndex index, float[] quality, float[] tokens, int k, Map<String, Object> diagnostics) {
    int m = models.size();
    if (quality.length != index.size() * m || tokens.length != index.size() * m) {
      throw new CarrotException("targets must be n x M = " + index.size() + " x " + m);
    }
    if (k < 1) {
      throw new CarrotException("k must be >= 1, got " + k);
    }
    this.models = List.copyOf(models);
    this.index = index;
    this.quality = quality;
    this.tokens = tokens;
    this.k = Math.min(k, index.size());
    this.diagnostics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(diagnostics));
    int n = index.size();
    double[] cov = new double[m];
    double[] meanQ = new double[m];
    double[] meanT = new double[m];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        float v = quality[i * m + j];
        if (!Float.isNaN(v)) {
          cov[j]++;
          meanQ[j] += v;
          meanT[j] += tokens[i * m + j];
        }
      }
    }
    boolean holes = false;
    for (int j = 0; j < m; j++) {
      holes |= cov[j] < n;
      meanQ[j] = cov[j] > 0 ? meanQ[j] / cov[j] : 0;
      meanT[j] = cov[j] > 0 ? meanT[j] / cov[j] : 0;
      cov[j] /= n;
    }
    this.sparse = holes;
    this.globalQuality = meanQ;
    this.globalTokens = meanT;
    this.searchWidth = searchWidth(this.k, cov, n);
  }

  /**
   * How many neighbours to search so that each model likely finds {@code k} with an entry: {@code
   * k} for dense data, else {@code ceil(2k / lowest coverage)}, at most {@code n}. Each model then
   * averages the first {@code k} of them that have its entry (fewer if fewer; none: its training
   * mean).
   */
  static int searchWidth(int k, double[] coverage, int n) {
    double min = 1;
    for (double c : coverage) {
      min = Math.min(min, c);
    }
    if (min >= 1) {
      return Math.min(k, n);
    }
    if (min <= 0) {
      return n;
    }
    return (int) Math.min(n, Math.ceil(2.0 * k / min));
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public List<String> models() {
    return models;
  }

  @Override
  public int dimension() {
    return index.dimension();
  }

  /** Number of neighbours that vote. */
  public int k() {
    return k;
  }

  /** The index of training embeddings. */
  public VectorIndex index() {
    return index;
  }

  /**
   * The same predictor searching with {@code other}, which must hold the same rows in the same
   * order (e.g. an approximate index built over this one's store).
   */
  public KnnPredictor withIndex(VectorIndex other) {
    if (other.size() != index.size() || other.dimension() != index.dimension()) {
      throw new CarrotException(
          "the new index holds " + other.size() + " x " + other.dimension() + " rows, the predictor's "
              + index.size() + " x " + index.dimension());
    }
    return new KnnPredictor(models, other, quality, tokens, k, diagnostics);
  }

  float[] qualityTargets() {
    return quality;
  }

  /** Each model's mean quality over its training entries (not copied). */
  double[] globalQuality() {
    return globalQuality;
  }

  /** Each model's mean output tokens over its training entries (not copied). */
  double[] globalTokens() {
    return globalTokens;
  }

  /** Neighbours searched per query so that each model finds {@code k} with an entry. */
  int searchWidth() {
    return searchWidth;
  }

  float[] tokenTargets() {
    return tokens;
  }

  @Override
  public Prediction predict(float[] embedding) {
    Dimensions.check(embedding, index.dimension());
    return estimate(index.topK(embedding, sparse ? searchWidth : k, null));
  }

  /** As {@link #predict} for each prompt, with the store searched for a batch of prompts at once. */
  @Override
  public Prediction[] predictAll(float[][] embeddings) {
    return predictBatched(index, embeddings, sparse ? searchWidth : k, (i, rows) -> estimate(rows));
  }

  private Prediction estimate(int[] rows) {
    return sparse ? averageObserved(rows) : average(rows);
  }

  /** An estimate from prompt {@code i}'s searched neighbours {@code rows}, best first. */
  interface NeighbourEstimate {
    Prediction of(int i, int[] rows);
  }

  /** Prompts searched together by {@link #predictBatched}: bounds the neighbour lists held at once. */
  static final int BATCH = 1024;

  /**
   * The estimate of every prompt from its {@code width} nearest rows of {@code index}, searching
   * {@link #BATCH} prompts at a time and estimating them in parallel.
   */
  static Prediction[] predictBatched(VectorIndex index, float[][] embeddings, int width, NeighbourEstimate estimate) {
    for (float[] e : embeddings) {
      Dimensions.check(e, index.dimension());
    }
    Prediction[] out = new Prediction[embeddings.length];
    for (int from = 0; from < embeddings.length; from += BATCH) {
      int to = Math.min(embeddings.length, from + BATCH);
      int[][] nn = index.topK(java.util.Arrays.copyOfRange(embeddings, from, to), width, null);
      int f = from;
      java.util.stream.IntStream.range(0, to - from).parallel().forEach(i -> out[f + i] = estimate.of(f + i, nn[i]));
    }
    return out;
  }

  /** Per model, the mean of the first {@code k} of {@code rows} that have its entry. */
  Prediction averageObserved(int[] rows) {
    int m = models.size();
    double[] q = new double[m];
    double[] t = new double[m];
    int[] cnt = new int[m];
    for (int r : rows) {
      int base = r * m;
      for (int j = 0; j < m; j++) {
        float v = quality[base + j];
        if (cnt[j] < k && !Float.isNaN(v)) {
          q[j] += v;
          t[j] += tokens[base + j];
          cnt[j]++;
        }
      }
    }
    for (int j = 0; j < m; j++) {
      q[j] = cnt[j] == 0 ? globalQuality[j] : Math.min(1, Math.max(0, q[j] / cnt[j]));
      t[j] = cnt[j] == 0 ? globalTokens[j] : Math.max(0, t[j] / cnt[j]);
    }
    return new Prediction(q, t);
  }

  /** Mean targets of the given training rows. */
  Prediction average(int[] rows) {
    int m = models.size();
    double[] q = new double[m];
    double[] t = new double[m];
    for (int r : rows) {
      int base = r * m;
      for (int j = 0; j < m; j++) {
        q[j] += quality[base + j];
        t[j] += tokens[base + j];
      }
    }
    for (int j = 0; j < m; j++) {
      q[j] = Math.min(1, Math.max(0, q[j] / rows.length));
      t[j] = Math.max(0, t[j] / rows.length);
    }
    return new Prediction(q, t);
  }

  @Override
  public Map<String, Object> hyperParameters() {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("k", k);
    h.put("metric", "cosine");
    h.put("weights", "uniform");
    h.put("search", index.kind());
    h.putAll(index.parameters());
    h.put("train_size", index.size());
    if (sparse) {
      h.put("sparse", "each model averages its k nearest neighbours with an entry, among the " + searchWidth + " nearest");
    }
    h.putAll(diagnostics);
    return h;
  }
}
