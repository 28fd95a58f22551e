package io.carrot.core.predict;

import io.carrot.core.CarrotException;

/**
 * Predicted outcome of sending one prompt to each model, in the predictor's model order.
 *
 * @param quality expected quality per model, in [0, 1]
 * @param outputTokens expected output tokens per model, at least 0
 */
public record Prediction(double[] quality, double[] outputTokens) {
  /** Checks that both arrays have one entry per model. */
  public Prediction {
    if (quality.length != outputTokens.length) {
      throw new CarrotException(
          "quality and outputTokens must have one entry per model: " + quality.length + " vs " + outputTokens.length);
    }
  }
}
