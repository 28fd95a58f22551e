package io.carrot.core.route;

import io.carrot.core.CarrotException;

/**
 * The prompt is longer than the context window of every model it may be routed to; nothing was
 * sent anywhere. A client's mistake, not worth retrying as it is (the server answers 400 with code
 * {@code context_length_exceeded}).
 */
public final class ContextLengthExceeded extends CarrotException {
  private static final long serialVersionUID = 1L;
  private final long inputTokens;
  private final long largestWindow;

  /**
   * @param inputTokens the prompt's input tokens
   * @param largestWindow the largest context window among the allowed models
   * @param windows the allowed models with their windows, for the message
   */
  public ContextLengthExceeded(long inputTokens, long largestWindow, String windows) {
    super("the prompt has " + inputTokens + " input tokens, more than the context window of every allowed model: "
        + windows + "; shorten it to at most " + largestWindow + " tokens");
    this.inputTokens = inputTokens;
    this.largestWindow = largestWindow;
  }

  /** The prompt's input tokens. */
  public long inputTokens() {
    return inputTokens;
  }

  /** The largest context window among the allowed models, in tokens. */
  public long largestWindow() {
    return largestWindow;
  }
}
