package io.carrot.core.predict.lowrank;

import io.carrot.core.CarrotException;
import io.carrot.core.linalg.SymmetricEigen;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.WrappingPredictor;
import io.carrot.core.predict.TrainingSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shares strength across models: a base predictor's quality estimates, as deviations from each
 * model's training mean, are projected onto the top {@code r} principal directions of the
 * training quality matrix. Models' successes are strongly correlated (an easy prompt is easy for
 * all), so most prompt-to-prompt variation lives in a few directions; what a local estimate says
 * outside them is mostly noise, and dropping it curbs the winner's curse of an argmax over many
 * models. {@code r = M} is the base predictor unchanged. Tokens pass through.
 */
public final class LowRankPredictor extends WrappingPredictor {
  public static final String KIND = "low-rank";
  private static final int[] RANKS = {1, 2, 3, 4, 6, 8, 12};

  private final double[] mean;
  private final double[][] basis; // M x r, orthonormal columns

  public LowRankPredictor(Predictor base, double[] mean, double[][] basis) {
    super(base);
    int m = base().models().size();
    if (mean.length != m || basis.length != m) {
      throw new CarrotException("low-rank arrays must have one row per model");
    }
    this.mean = mean.clone();
    this.basis = new double[m][];
    for (int i = 0; i < m; i++) {
      this.basis[i] = basis[i].clone();
    }
  }

  /** Chooses the rank on validation (squared error of quality) among ranks below M, or M. */
  public static LowRankPredictor fit(Predictor base, TrainingSet train, TrainingSet validation) {
    if (validation == null || validation.size() == 0) {
      throw new CarrotException("the low-rank estimator chooses its rank on the validation split, which is empty");
    }
    int m = train.models().size();
    int n = train.size();
    // Means and covariances over the rows where the models have entries (pairwise for sparse data).
    double[] mu = new double[m];
    int[] cnt = new int[m];
    for (double[] row : train.quality()) {
      for (int j = 0; j < m; j++) {
        if (!Double.isNaN(row[j])) {
          mu[j] += row[j];
          cnt[j]++;
        }
      }
    }
    for (int j = 0; j < m; j++) {
      mu[j] /= cnt[j];
    }
    double[][] cov = new double[m][m];
    double[][] pairs = new double[m][m];
    for (double[] row : train.quality()) {
      for (int a = 0; a < m; a++) {
        double da = row[a] - mu[a];
        if (Double.isNaN(da)) {
          continue;
        }
        for (int b = 0; b < m; b++) {
          double db = row[b] - mu[b];
          if (!Double.isNaN(db)) {
            cov[a][b] += da * db;
            pairs[a][b]++;
          }
        }
      }
    }
    for (int a = 0; a < m; a++) {
      for (int b = 0; b < m; b++) {
        cov[a][b] = pairs[a][b] > 0 ? cov[a][b] / pairs[a][b] : 0;
      }
    }
    double[][] vecs = SymmetricEigen.vectorsByDescendingValue(cov);
    Prediction[] pv = base.predictAll(validation.embeddings());
    LowRankPredictor best = null;
    double bestErr = Double.POSITIVE_INFINITY;
    for (int r : RANKS) {
      if (r >= m) {
        break;
      }
      LowRankPredictor cand = new LowRankPredictor(base, mu, leading(vecs, r));
      double err = 0;
      for (int i = 0; i < pv.length; i++) {
        double[] q = cand.project(pv[i].quality());
        for (int j = 0; j < m; j++) {
          double e = q[j] - validation.quality()[i][j];
          if (e == e) { // NaN: no entry for this validation prompt
            err += e * e;
          }
        }
      }
      if (err < bestErr) {
        bestErr = err;
        best = cand;
      }
    }
    double fullErr = 0;
    for (int i = 0; i < pv.length; i++) {
      for (int j = 0; j < m; j++) {
        double e = pv[i].quality()[j] - validation.quality()[i][j];
        if (e == e) {
          fullErr += e * e;
        }
      }
    }
    return best == null || fullErr <= bestErr ? new LowRankPredictor(base, mu, leading(vecs, m)) : best;
  }

  private static double[][] leading(double[][] vecs, int r) {
    double[][] b = new double[vecs.length][r];
    for (int i = 0; i < vecs.length; i++) {
      System.arraycopy(vecs[i], 0, b[i], 0, r);
    }
    return b;
  }

  double[] project(double[] q) {
    int m = mean.length;
    int r = basis[0].length;
    double[] z = new double[r];
    for (int j = 0; j < m; j++) {
      double d = q[j] - mean[j];
      for (int c = 0; c < r; c++) {
        z[c] += d * basis[j][c];
      }
    }
    double[] out = new double[m];
    for (int j = 0; j < m; j++) {
      double v = mean[j];
      for (int c = 0; c < r; c++) {
        v += basis[j][c] * z[c];
      }
      out[j] = Math.min(1, Math.max(0, v));
    }
    return out;
  }

  public double[] mean() {
    return mean.clone();
  }

  public double[][] basis() {
    double[][] b = new double[basis.length][];
    for (int i = 0; i < b.length; i++) {
      b[i] = basis[i].clone();
    }
    return b;
  }

  public int rank() {
    return basis[0].length;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Prediction predict(float[] embedding) {
    Prediction p = base().predict(embedding);
    return new Prediction(project(p.quality()), p.outputTokens());
  }

  /** The base predicts all prompts at once (it may do so in parallel), then each is projected. */
  @Override
  public Prediction[] predictAll(float[][] embeddings) {
    Prediction[] p = base().predictAll(embeddings);
    Prediction[] out = new Prediction[p.length];
    for (int i = 0; i < p.length; i++) {
      out[i] = new Prediction(project(p[i].quality()), p[i].outputTokens());
    }
    return out;
  }

  @Override
  public Map<String, Object> hyperParameters() {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("rank", rank());
    h.put("rank_chosen_by", "squared error of quality on the validation split");
    h.put("base", Map.of("kind", base().kind(), "hyper_parameters", base().hyperParameters()));
    return h;
  }
}
