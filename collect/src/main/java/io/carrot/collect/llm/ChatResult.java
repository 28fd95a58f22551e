package io.carrot.collect.llm;

/**
 * A finished (and paid) completion.
 *
 * @param text the assistant message ({@code choices[0].message.content}; empty if none)
 * @param promptTokens {@code usage.prompt_tokens} as the API reported it
 * @param completionTokens {@code usage.completion_tokens} as the API reported it
 * @param latencyMillis wall time of the successful attempt
 * @param attempts attempts made, including retried 429/5xx answers
 * @param finishReason {@code choices[0].finish_reason} (e.g. stop, length), empty if absent
 */
public record ChatResult(
    String text, long promptTokens, long completionTokens, long latencyMillis, int attempts, String finishReason) {}
