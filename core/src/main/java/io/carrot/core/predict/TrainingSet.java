package io.carrot.core.predict;

import io.carrot.core.CarrotException;
import java.util.List;

/**
 * What an estimator learns from: one embedding per prompt and, per prompt and model, the observed
 * quality and output tokens.
 *
 * @param models model names, column order of {@code quality} and {@code outputTokens}
 * @param embeddings n unit-length rows of equal dimension
 * <p>Sparse data: an entry is {@code NaN} in both {@code quality} and {@code outputTokens} where the
 * model was not run on the prompt. Estimators fit each model on the rows it has ({@link
 * #observed}); every model needs at least one.
 *
 * @param quality n x M scores in [0, 1], {@code NaN} where missing
 * @param outputTokens n x M output tokens, {@code NaN} where missing
 */
public record TrainingSet(
    List<String> models, float[][] embeddings, double[][] quality, double[][] outputTokens) {
  /** Validates that every row has one embedding of the common dimension and one value per model. */
  public TrainingSet {
    models = List.copyOf(models);
    int n = embeddings.length;
    if (n == 0) {
      throw new CarrotException("the training set is empty; the train split must list at least one prompt");
    }
    if (quality.length != n || outputTokens.length != n) {
      throw new CarrotException(
          "training set rows disagree: " + n + " embeddings, " + quality.length + " quality rows, "
              + outputTokens.length + " token rows");
    }
    int d = embeddings[0].length;
    for (int i = 0; i < n; i++) {
      if (embeddings[i].length != d) {
        throw new CarrotException("embedding " + i + " has dimension " + embeddings[i].length + ", expected " + d);
      }
      if (quality[i].length != models.size() || outputTokens[i].length != models.size()) {
        throw new CarrotException("row " + i + " does not have one value per model (" + models.size() + ")");
      }
    }
  }

  /**
   * Fails clearly unless every model has at least one entry: what fitting needs (a validation set
   * may lack a model).
   */
  public TrainingSet requireEveryModelObserved() {
    double[] c = coverage();
    for (int j = 0; j < c.length; j++) {
      if (c[j] == 0) {
        throw new CarrotException(
            "model '" + models.get(j) + "' has no scored prompt in the training data; it needs at least one"
                + " (and a few hundred to be routed well, see docs/ROUTER.md)");
      }
    }
    return this;
  }

  /** Whether model {@code j} has an entry for row {@code i}. */
  public boolean observed(int i, int j) {
    return !Double.isNaN(quality[i][j]);
  }

  /** Whether every model has an entry for every row. */
  public boolean dense() {
    for (double[] r : quality) {
      for (double v : r) {
        if (Double.isNaN(v)) {
          return false;
        }
      }
    }
    return true;
  }

  /** Share of rows that have an entry for each model. */
  public double[] coverage() {
    int m = models.size();
    double[] c = new double[m];
    for (double[] r : quality) {
      for (int j = 0; j < m; j++) {
        if (!Double.isNaN(r[j])) {
          c[j]++;
        }
      }
    }
    for (int j = 0; j < m; j++) {
      c[j] /= quality.length;
    }
    return c;
  }

  /** Number of training prompts. */
  public int size() {
    return embeddings.length;
  }

  /** Dimension of the embeddings. */
  public int dimension() {
    return embeddings[0].length;
  }
}
