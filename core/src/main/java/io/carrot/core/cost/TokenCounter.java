package io.carrot.core.cost;

/**
 * Counts the input tokens a prompt costs. Thread-safe.
 *
 * <p>Real providers tokenize differently; the default counts with OpenAI's cl100k_base, which is
 * what the shipped datasets' token counts use, so predicted and recorded costs agree.
 */
public interface TokenCounter {
  /** Identifier recorded in provenance, e.g. {@code cl100k_base}. */
  String id();

  /** Number of tokens in {@code text}; 0 for the empty string. */
  int count(String text);
}
