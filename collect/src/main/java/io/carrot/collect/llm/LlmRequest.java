package io.carrot.collect.llm;

import io.carrot.core.CarrotException;

/**
 * One single-turn chat completion request.
 *
 * @param model the model id the API expects
 * @param system an optional system message (null or empty: none)
 * @param prompt the user message
 * @param maxTokens upper bound on completion tokens, sent as {@code max_tokens}
 * @param temperature sampling temperature (0 for reproducible answers)
 */
public record LlmRequest(String model, String system, String prompt, int maxTokens, double temperature) {
  public LlmRequest {
    if (model == null || model.isBlank()) {
      throw new CarrotException("model must be a non-empty model id, got '" + model + "'");
    }
    if (prompt == null) {
      throw new CarrotException("prompt must not be null");
    }
    if (maxTokens < 1) {
      throw new CarrotException("max_tokens must be >= 1, got " + maxTokens);
    }
    if (!(temperature >= 0 && temperature <= 2)) {
      throw new CarrotException("temperature must be in [0, 2], got " + temperature);
    }
    system = system == null ? "" : system;
  }
}
