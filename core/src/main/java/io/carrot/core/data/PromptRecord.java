package io.carrot.core.data;

/**
 * One prompt of a routing dataset with every model's recorded outcome. Arrays are indexed by the
 * dataset's model order ({@link Dataset#models()}).
 *
 * @param id unique id
 * @param prompt the text sent to the models
 * @param source the benchmark or task the prompt came from (may be empty)
 * @param scores quality per model in [0, 1]
 * @param inputTokens input tokens per model
 * @param outputTokens output tokens per model
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

  /** The true cost used for evaluation: the recorded cost if present, else tokens x prices. */
  public double trueCost(int model, ModelPrice price) {
    if (cost != null) {
      return cost[model];
    }
    return price.cost(inputTokens[model], outputTokens[model]);
  }
}
