package io.carrot.core.data;

import io.carrot.core.CarrotException;

/**
 * List price of one model in USD per million tokens.
 *
 * @param inputPerMtok USD per million input (prompt) tokens, at least 0
 * @param outputPerMtok USD per million output (completion) tokens, at least 0
 * @param source where the price came from (free text, may be empty)
 * @param contextWindow the most input tokens the model accepts, or 0 when unknown (no limit is
 *     applied); a prompt longer than a model's window is never routed to it
 */
public record ModelPrice(double inputPerMtok, double outputPerMtok, String source, long contextWindow) {
  /** A price without a known context window. */
  public ModelPrice(double inputPerMtok, double outputPerMtok, String source) {
    this(inputPerMtok, outputPerMtok, source, 0);
  }

  /** Validates that both prices are finite and not negative. */
  public ModelPrice {
    if (contextWindow < 0) {
      throw new CarrotException("context_window must be a whole number of tokens >= 1 (or absent), got " + contextWindow);
    }
    if (!(inputPerMtok >= 0) || Double.isInfinite(inputPerMtok)) {
      throw new CarrotException("input_per_mtok must be a finite number >= 0, got " + inputPerMtok);
    }
    if (!(outputPerMtok >= 0) || Double.isInfinite(outputPerMtok)) {
      throw new CarrotException("output_per_mtok must be a finite number >= 0, got " + outputPerMtok);
    }
    source = source == null ? "" : source;
  }

  /** Whether a prompt of {@code inputTokens} fits the model's context window (always, when unknown). */
  public boolean fits(double inputTokens) {
    return contextWindow == 0 || inputTokens <= contextWindow;
  }

  /** USD for a request with the given token counts. */
  public double cost(double inputTokens, double outputTokens) {
    return (inputTokens * inputPerMtok + outputTokens * outputPerMtok) / 1e6;
  }
}
