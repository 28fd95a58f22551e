package io.carrot.core.predict.blend;

import io.carrot.core.CarrotException;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import java.util.List;

/**
 * Chooses {@link BlendPredictor} weights on held-out data: for each model separately, the convex
 * weights on a grid (step 1/steps) that minimize the squared error of quality, and separately of
 * output tokens. A grid rather than a solver keeps the choice exact, bounded and deterministic.
 */
public final class BlendFitter {
  private BlendFitter() {}

  public static BlendPredictor fit(String name, List<Predictor> parts, TrainingSet validation, int steps) {
    if (validation == null || validation.size() == 0) {
      throw new CarrotException(name + " chooses its weights on the validation split, which is empty; "
          + "the dataset's split.json must list validation ids");
    }
    int p = parts.size();
    int m = validation.models().size();
    int n = validation.size();
    double[][][] q = new double[p][n][];
    double[][][] t = new double[p][n][];
    for (int i = 0; i < p; i++) {
      Prediction[] pr = parts.get(i).predictAll(validation.embeddings());
      for (int r = 0; r < n; r++) {
        q[i][r] = pr[r].quality();
        t[i][r] = pr[r].outputTokens();
      }
    }
    List<double[]> grid = simplex(p, steps);
    double[][] qw = new double[p][m];
    double[][] tw = new double[p][m];
    for (int j = 0; j < m; j++) {
      double[] bq = best(grid, q, validation.quality(), j, n);
      double[] bt = best(grid, t, validation.outputTokens(), j, n);
      for (int i = 0; i < p; i++) {
        qw[i][j] = bq[i];
        tw[i][j] = bt[i];
      }
    }
    return new BlendPredictor(name, parts, qw, tw);
  }

  private static double[] best(List<double[]> grid, double[][][] pred, double[][] truth, int j, int n) {
    double[] best = null;
    double bestErr = Double.POSITIVE_INFINITY;
    for (double[] w : grid) {
      double err = 0;
      for (int r = 0; r < n; r++) {
        double y = 0;
        for (int i = 0; i < w.length; i++) {
          y += w[i] * pred[i][r][j];
        }
        double e = y - truth[r][j];
        if (e == e) { // NaN truth: the model has no entry for this validation prompt
          err += e * e;
        }
      }
      // strictly better only: ties keep the earlier grid point, which favours the first part
      if (err < bestErr - 1e-12) {
        bestErr = err;
        best = w;
      }
    }
    return best;
  }

  /** Every weight vector of {@code p} entries that are multiples of 1/steps and sum to 1. */
  static List<double[]> simplex(int p, int steps) {
    List<double[]> out = new java.util.ArrayList<>();
    fill(new int[p], 0, steps, steps, out);
    return out;
  }

  private static void fill(int[] cur, int idx, int left, int steps, List<double[]> out) {
    if (idx == cur.length - 1) {
      cur[idx] = left;
      double[] w = new double[cur.length];
      for (int i = 0; i < cur.length; i++) {
        w[i] = (double) cur[i] / steps;
      }
      out.add(w);
      return;
    }
    for (int v = left; v >= 0; v--) {
      cur[idx] = v;
      fill(cur, idx + 1, left - v, steps, out);
    }
  }
}
