package io.carrot.core.predict.blend;

import io.carrot.core.CarrotException;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.Predictor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A per-model convex combination of predictors: {@code quality_m = sum_i a[i][m] * quality_i,m}
 * and likewise for tokens with weights {@code b}. With a local estimator and {@link
 * io.carrot.core.predict.ConstantPredictor} as parts it is shrinkage toward each model's global mean, which tames the
 * winner's curse of taking an argmax over many noisy local estimates; with KNN and a linear model
 * it is an ensemble. Weights are chosen on validation data by {@link BlendFitter}.
 */
public final class BlendPredictor implements Predictor {
  public static final String KIND = "blend";

  private final String name;
  private final List<Predictor> parts;
  private final double[][] qualityWeights;
  private final double[][] tokenWeights;

  /**
   * @param name what this blend is called in reports (e.g. {@code knn-shrink}, {@code ensemble})
   * @param qualityWeights parts x models, each column summing to 1
   * @param tokenWeights parts x models, each column summing to 1
   */
  public BlendPredictor(String name, List<Predictor> parts, double[][] qualityWeights, double[][] tokenWeights) {
    if (parts.isEmpty() || qualityWeights.length != parts.size() || tokenWeights.length != parts.size()) {
      throw new CarrotException("one weight row per part expected");
    }
    List<String> models = parts.get(0).models();
    for (Predictor p : parts) {
      if (!p.models().equals(models) || p.dimension() != parts.get(0).dimension()) {
        throw new CarrotException("blended predictors must share models and dimension");
      }
    }
    for (int m = 0; m < models.size(); m++) {
      double sq = 0;
      double st = 0;
      for (int i = 0; i < parts.size(); i++) {
        sq += qualityWeights[i][m];
        st += tokenWeights[i][m];
      }
      if (Math.abs(sq - 1) > 1e-6 || Math.abs(st - 1) > 1e-6) {
        throw new CarrotException("weights of model " + models.get(m) + " must sum to 1");
      }
    }
    this.name = name;
    this.parts = List.copyOf(parts);
    this.qualityWeights = deepCopy(qualityWeights);
    this.tokenWeights = deepCopy(tokenWeights);
  }

  private static double[][] deepCopy(double[][] a) {
    double[][] c = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[i].clone();
    }
    return c;
  }

  @Override
  public String kind() {
    return KIND;
  }

  public String name() {
    return name;
  }

  public List<Predictor> parts() {
    return parts;
  }

  public double[][] qualityWeights() {
    return deepCopy(qualityWeights);
  }

  public double[][] tokenWeights() {
    return deepCopy(tokenWeights);
  }

  @Override
  public List<String> models() {
    return parts.get(0).models();
  }

  @Override
  public int dimension() {
    return parts.get(0).dimension();
  }

  @Override
  public Prediction predict(float[] embedding) {
    Prediction[] ps = new Prediction[parts.size()];
    for (int i = 0; i < ps.length; i++) {
      ps[i] = parts.get(i).predict(embedding);
    }
    return blend(ps);
  }

  /** As {@link #predict} for each prompt, with each part predicting all prompts at once. */
  @Override
  public Prediction[] predictAll(float[][] embeddings) {
    Prediction[][] byPart = new Prediction[parts.size()][];
    for (int i = 0; i < byPart.length; i++) {
      byPart[i] = parts.get(i).predictAll(embeddings);
    }
    Prediction[] out = new Prediction[embeddings.length];
    for (int r = 0; r < out.length; r++) {
      Prediction[] ps = new Prediction[byPart.length];
      for (int i = 0; i < ps.length; i++) {
        ps[i] = byPart[i][r];
      }
      out[r] = blend(ps);
    }
    return out;
  }

  private Prediction blend(Prediction[] ps) {
    int m = models().size();
    double[] q = new double[m];
    double[] t = new double[m];
    for (int i = 0; i < parts.size(); i++) {
      Prediction p = ps[i];
      for (int j = 0; j < m; j++) {
        q[j] += qualityWeights[i][j] * p.quality()[j];
        t[j] += tokenWeights[i][j] * p.outputTokens()[j];
      }
    }
    for (int j = 0; j < m; j++) {
      q[j] = Math.min(1, Math.max(0, q[j]));
      t[j] = Math.max(0, t[j]);
    }
    return new Prediction(q, t);
  }

  @Override
  public Map<String, Object> hyperParameters() {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("name", name);
    List<Object> ps = new ArrayList<>();
    for (Predictor p : parts) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("kind", p.kind());
      x.put("hyper_parameters", p.hyperParameters());
      ps.add(x);
    }
    h.put("parts", ps);
    double[] meanQ = new double[parts.size()];
    for (int i = 0; i < parts.size(); i++) {
      for (double w : qualityWeights[i]) {
        meanQ[i] += w / qualityWeights[i].length;
      }
    }
    h.put("mean_quality_weight_per_part", meanQ);
    h.put("weights_chosen_by", "per-model least squares on the validation split over a simplex grid");
    return h;
  }
}
