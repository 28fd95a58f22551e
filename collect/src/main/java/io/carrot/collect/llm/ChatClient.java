package io.carrot.collect.llm;

/**
 * Sends chat completions to one upstream. Thread-safe; implementations bound their own
 * concurrency and request rate.
 */
public interface ChatClient extends AutoCloseable {
  /**
   * Sends the request, retrying what is worth retrying.
   *
   * @throws io.carrot.core.CarrotException when the call failed for good; {@code retryable()} says
   *     whether a later run may succeed (rate limits, 5xx, time-outs) or not (bad key, unknown model)
   */
  ChatResult complete(LlmRequest request);

  @Override
  default void close() {}
}
