package io.carrot.collect.run;

import io.carrot.core.CarrotException;
import io.carrot.core.data.ModelPrice;

/**
 * One model to call (a candidate, or the judge).
 *
 * @param name its name in the dataset (and on the command line)
 * @param upstream name of the {@link io.carrot.collect.llm.LlmServer} serving it
 * @param apiModel the model id sent to the API
 * @param price list price, USD per million tokens
 * @param maxTokens {@code max_tokens} of every call: also the bound the spend cap reserves
 * @param temperature sampling temperature
 */
public record CollectedModel(
    String name, String upstream, String apiModel, ModelPrice price, int maxTokens, double temperature) {
  public CollectedModel {
    if (name == null || name.isBlank()) {
      throw new CarrotException("a model entry has no name");
    }
    if (maxTokens < 1 || maxTokens > 1_000_000) {
      throw new CarrotException("model '" + name + "': max_tokens must be in 1..1000000, got " + maxTokens);
    }
    if (!(temperature >= 0 && temperature <= 2)) {
      throw new CarrotException("model '" + name + "': temperature must be in [0, 2], got " + temperature);
    }
  }

  /** USD for the given usage. */
  public double cost(long promptTokens, long completionTokens) {
    return price.cost(promptTokens, completionTokens);
  }
}
