package io.carrot.core.data;

import io.carrot.core.CarrotException;

/**
 * List price of one model in USD per million tokens.
 *
 * @param inputPerMtok USD per million input (prompt) tokens, at least 0
 * @param outputPerMtok USD per million output (completion) tokens, at least 0
 * @param source where the price came from (free text, may be empty)
 */
public record ModelPrice(double inputPerMtok, double outputPerMtok, String source) {
  /** Validates that both prices are finite and not negative. */
  public ModelPrice {
    if (!(inputPerMtok >= 0) || Double.isInfinite(inputPerMtok)) {
      throw new CarrotException("input_per_mtok must be a finite number >= 0, got " + inputPerMtok);
    }
    if (!(outputPerMtok >= 0) || Double.isInfinite(outputPerMtok)) {
      throw new CarrotException("output_per_mtok must be a finite number >= 0, got " + outputPerMtok);
    }
    source = source == null ? "" : source;
  }

  /** USD for a request with the given token counts. */
  public double cost(double inputTokens, double outputTokens) {
    return (inputTokens * inputPerMtok + outputTokens * outputPerMtok) / 1e6;
  }
}
