package io.carrot.core.predict;

import io.carrot.core.CarrotException;

/**
 * Predicted outcome of sending one prompt to each model, in the predictor's model order.
 *
 * @param quality expected quality per model, in [0, 1]
 * @param outputTokens expected output tokens per model, at least 0
 * @param input how the rule prices the prompt's input tokens, or null for the prompt's own count
 *     (what every estimator predicts; the support fallback moves it toward a prior)
 */
public record Prediction(double[] quality, double[] outputTokens, InputTokens input) {
  /**
   * The input tokens the rule prices: the prompt's counted tokens with weight {@code weight}, each
   * model's {@code prior} (its mean on the training data) with the rest. At weight 0 every prompt
   * is priced alike, as the prompt-blind router prices it.
   *
   * @param weight weight of the prompt's own count, in [0, 1]
   * @param prior each model's prior input tokens
   */
  public record InputTokens(double weight, double[] prior) {
    /** Checks the weight's range. */
    public InputTokens {
      if (!(weight >= 0 && weight <= 1)) {
        throw new CarrotException("the input-token weight must be in [0, 1], got " + weight);
      }
    }
  }

  /** A prediction that prices the prompt's own input tokens. */
  public Prediction(double[] quality, double[] outputTokens) {
    this(quality, outputTokens, null);
  }

  /** Checks that every array has one entry per model. */
  public Prediction {
    if (quality.length != outputTokens.length) {
      throw new CarrotException(
          "quality and outputTokens must have one entry per model: " + quality.length + " vs " + outputTokens.length);
    }
    if (input != null && input.prior().length != quality.length) {
      throw new CarrotException(
          "the input-token prior must have one entry per model: " + input.prior().length + " vs " + quality.length);
    }
  }

  /** The input tokens the rule prices for {@code model} when the prompt counts {@code counted}. */
  public double inputTokens(int model, double counted) {
    return input == null ? counted : input.weight() * counted + (1 - input.weight()) * input.prior()[model];
  }
}
