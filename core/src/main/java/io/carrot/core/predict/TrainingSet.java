package io.carrot.core.predict;

import io.carrot.core.CarrotException;
import io.carrot.core.data.ModelPrice;
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
 * @param costs what the prompts cost per model, or null when unknown (most estimators need only the
 *     targets; one that weighs quality against cost, such as {@code auto}, needs them)
 */
public record TrainingSet(
    List<String> models, float[][] embeddings, double[][] quality, double[][] outputTokens, Costs costs) {
  /**
   * Prices and costs of the prompts, per model in {@code models} order.
   *
   * @param prices one price per model
   * @param inputTokens n x M input tokens (the routing rule prices predicted output tokens with them)
   * @param trueCost n x M recorded cost in USD, {@code NaN} where missing
   */
  public record Costs(List<ModelPrice> prices, double[][] inputTokens, double[][] trueCost) {
    public Costs {
      prices = List.copyOf(prices);
      if (inputTokens.length != trueCost.length) {
        throw new CarrotException("costs rows disagree: " + inputTokens.length + " input-token rows, " + trueCost.length + " cost rows");
      }
    }
  }

  /** A training set without costs. */
  public TrainingSet(List<String> models, float[][] embeddings, double[][] quality, double[][] outputTokens) {
    this(models, embeddings, quality, outputTokens, null);
  }

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
    if (costs != null) {
      if (costs.prices().size() != models.size() || costs.trueCost().length != n) {
        throw new CarrotException("costs hold " + costs.prices().size() + " prices and " + costs.trueCost().length
            + " rows; expected one price per model (" + models.size() + ") and one row per prompt (" + n + ")");
      }
      for (int i = 0; i < n; i++) {
        if (costs.inputTokens()[i].length != models.size() || costs.trueCost()[i].length != models.size()) {
          throw new CarrotException("costs row " + i + " does not have one value per model (" + models.size() + ")");
        }
      }
    }
  }

  /**
   * The costs, failing clearly when there are none.
   *
   * @param who what needs them, for the message
   */
  public Costs requireCosts(String who) {
    if (costs == null) {
      throw new CarrotException(who + " needs the prompts' prices and costs; build the training set with RouterTrainer.trainingSet");
    }
    return costs;
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
