package io.carrot.core.predict;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CARROT-KNN: the {@code k} training prompts most similar to the query (cosine) vote with uniform
 * weights; the prediction is the mean of their per-model quality and output tokens. Immutable.
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
      throw new IllegalArgumentException("targets must be n x M = " + index.size() + " x " + m);
    }
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    this.models = List.copyOf(models);
    this.index = index;
    this.quality = quality;
    this.tokens = tokens;
    this.k = Math.min(k, index.size());
    this.diagnostics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(diagnostics));
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
      throw new IllegalArgumentException(
          "the new index holds " + other.size() + " x " + other.dimension() + " rows, the predictor's "
              + index.size() + " x " + index.dimension());
    }
    return new KnnPredictor(models, other, quality, tokens, k, diagnostics);
  }

  float[] qualityTargets() {
    return quality;
  }

  float[] tokenTargets() {
    return tokens;
  }

  @Override
  public Prediction predict(float[] embedding) {
    if (embedding.length != index.dimension()) {
      throw new IllegalArgumentException(
          "embedding has dimension " + embedding.length + ", the router was trained on " + index.dimension());
    }
    return average(index.topK(embedding, k, null));
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
    h.putAll(diagnostics);
    return h;
  }
}
