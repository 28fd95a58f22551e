package io.carrot.core.predict;

import io.carrot.core.CarrotException;
import java.util.List;

/**
 * What an estimator learns from: one embedding per prompt and, per prompt and model, the observed
 * quality and output tokens.
 *
 * @param models model names, column order of {@code quality} and {@code outputTokens}
 * @param embeddings n unit-length rows of equal dimension
 * @param quality n x M scores in [0, 1]
 * @param outputTokens n x M output tokens
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

  /** Number of training prompts. */
  public int size() {
    return embeddings.length;
  }

  /** Dimension of the embeddings. */
  public int dimension() {
    return embeddings[0].length;
  }
}
