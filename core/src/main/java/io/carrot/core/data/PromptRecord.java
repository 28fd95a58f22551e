package io.carrot.core.data;

/**
 * One prompt of a routing dataset with every model's recorded outcome. Arrays are indexed by the
 * dataset's model order ({@link Dataset#models()}).
 *
 * @param id unique id
 * @param prompt the text sent to the models
 * @param source the benchmark or task the prompt came from (may be empty)
 * <p>Datasets may be <em>sparse</em>: a model that was not run on a prompt has {@code NaN} in every
 * per-model array at its index ({@link #has(int)} is false). Estimators learn from the entries
 * that exist; evaluation uses the prompts where every compared model has an entry ({@link
 * #complete()}).
 *
 * @param scores quality per model in [0, 1], {@code NaN} where the model has no entry
 * @param inputTokens input tokens per model ({@code NaN} where missing)
 * @param outputTokens output tokens per model ({@code NaN} where missing)
 * @param cost recorded USD per model, or {@code null} when the dataset has no cost field
 */
public record PromptRecord(
    String id,
    String prompt,
    String source,
    double[] scores,
    double[] inputTokens,
    double[] outputTokens,
    double[] cost) {

  /** Whether {@code model} has an entry (was run and scored) for this prompt. */
  public boolean has(int model) {
    return !Double.isNaN(scores[model]);
  }

  /** Whether every model has an entry for this prompt. */
  public boolean complete() {
    for (double s : scores) {
      if (Double.isNaN(s)) {
        return false;
      }
    }
    return true;
  }

  /** Number of models with an entry for this prompt. */
  public int observedCount() {
    int c = 0;
    for (double s : scores) {
      if (!Double.isNaN(s)) {
        c++;
      }
    }
    return c;
  }

  /** This prompt with model {@code m}'s entry removed (as if the model had not been run on it). */
  public PromptRecord withoutModel(int m) {
    double[] q = scores.clone();
    double[] in = inputTokens.clone();
    double[] out = outputTokens.clone();
    double[] c = cost == null ? null : cost.clone();
    q[m] = Double.NaN;
    in[m] = Double.NaN;
    out[m] = Double.NaN;
    if (c != null) {
      c[m] = Double.NaN;
    }
    return new PromptRecord(id, prompt, source, q, in, out, c);
  }

  /** The true cost used for evaluation: the recorded cost if present, else tokens x prices. */
  public double trueCost(int model, ModelPrice price) {
    if (cost != null) {
      return cost[model];
    }
    return price.cost(inputTokens[model], outputTokens[model]);
  }
}
