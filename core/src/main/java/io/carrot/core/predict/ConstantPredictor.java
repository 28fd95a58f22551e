package io.carrot.core.predict;

import io.carrot.core.CarrotException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The same prediction for every prompt: each model's mean quality and output tokens on the
 * training data. On its own it is the static cost router (no prompt features); blended with a
 * local estimator it is the prior that estimator shrinks toward.
 */
public final class ConstantPredictor implements Predictor {
  public static final String KIND = "constant";

  private final List<String> models;
  private final int dimension;
  private final double[] quality;
  private final double[] tokens;

  public ConstantPredictor(List<String> models, int dimension, double[] quality, double[] tokens) {
    if (quality.length != models.size() || tokens.length != models.size()) {
      throw new CarrotException("one quality and one token value per model expected");
    }
    this.models = List.copyOf(models);
    this.dimension = dimension;
    this.quality = quality.clone();
    this.tokens = tokens.clone();
  }

  /** Per-model means of {@code data} (over each model's observed rows). */
  public static ConstantPredictor fit(TrainingSet data) {
    int m = data.models().size();
    double[] q = new double[m];
    double[] t = new double[m];
    int[] n = new int[m];
    for (int i = 0; i < data.size(); i++) {
      for (int j = 0; j < m; j++) {
        if (data.observed(i, j)) {
          q[j] += data.quality()[i][j];
          t[j] += data.outputTokens()[i][j];
          n[j]++;
        }
      }
    }
    for (int j = 0; j < m; j++) {
      q[j] /= n[j];
      t[j] /= n[j];
    }
    return new ConstantPredictor(data.models(), data.dimension(), q, t);
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
    return dimension;
  }

  public double[] quality() {
    return quality.clone();
  }

  public double[] tokens() {
    return tokens.clone();
  }

  @Override
  public Prediction predict(float[] embedding) {
    return new Prediction(quality.clone(), tokens.clone());
  }

  @Override
  public Map<String, Object> hyperParameters() {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("estimate", "per-model mean of the training prompts");
    return h;
  }
}
