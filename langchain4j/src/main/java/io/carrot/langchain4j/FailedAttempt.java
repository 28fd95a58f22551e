package io.carrot.langchain4j;

/**
 * A candidate that was tried and failed before the one that answered.
 *
 * @param model the router's name of the model
 * @param error the exception's class and message
 */
public record FailedAttempt(String model, String error) {
  static FailedAttempt of(String model, Throwable t) {
    return new FailedAttempt(model, t.getClass().getSimpleName() + ": " + t.getMessage());
  }
}
