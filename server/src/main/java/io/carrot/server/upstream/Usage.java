package io.carrot.server.upstream;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Token usage an upstream reported, sanitized in this one place: a count is kept only when it is a
 * whole number in {@code [0, MAX_TOKENS]}; anything else (negative, fractional, huge, a string, a
 * missing field) counts as not reported, and the answer is then charged from counted tokens as if
 * the upstream had sent no usage. An odd usage block never fails the answer it came with.
 *
 * @param inputTokens reported input tokens, or null
 * @param outputTokens reported output tokens, or null
 */
public record Usage(Long inputTokens, Long outputTokens) {
  /** Larger counts are not believed: no model reads or writes 100 million tokens in one request. */
  public static final long MAX_TOKENS = 100_000_000L;

  public static final Usage NONE = new Usage(null, null);

  /** True when at least one count was reported. */
  public boolean reported() {
    return inputTokens != null || outputTokens != null;
  }

  /** The usage block {@code usage} (an object, or anything else) of an answer of {@code api}. */
  public static Usage of(JsonNode usage, Api api) {
    if (usage == null || !usage.isObject()) {
      return NONE;
    }
    Long in = count(usage.get(api.inputField()));
    Long out = api.outputField() == null ? null : count(usage.get(api.outputField()));
    return new Usage(in, out);
  }

  /** One count, or null when it is not a believable token count. */
  static Long count(JsonNode n) {
    if (n == null || !n.isNumber() || !n.canConvertToExactIntegral()) {
      return null;
    }
    if (!n.canConvertToLong()) {
      return null;
    }
    long v = n.asLong();
    return v >= 0 && v <= MAX_TOKENS ? v : null;
  }
}
