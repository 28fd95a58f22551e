package io.carrot.core.retry;

import com.fasterxml.jackson.databind.JsonNode;
import io.carrot.core.files.Json;
import java.io.IOException;

/** What a failed call to a model API said, short enough for one line of an error message. */
public final class ErrorBodies {
  private ErrorBodies() {}

  /**
   * The OpenAI-style {@code error.message} of {@code body} when it has one, else the body itself
   * stripped and cut to {@code maxChars} (with "..."); "(empty body)" for none.
   */
  public static String message(String body, int maxChars) {
    if (body == null || body.isBlank()) {
      return "(empty body)";
    }
    try {
      JsonNode msg = Json.COMPACT.readTree(body).path("error").path("message");
      if (msg.isTextual()) {
        return msg.asText();
      }
    } catch (IOException | RuntimeException notJson) {
      // Fall through to the raw body.
    }
    return abbreviate(body, maxChars);
  }

  /** {@code s} stripped, cut to {@code maxChars} with "..." when longer. */
  public static String abbreviate(String s, int maxChars) {
    String b = s.strip();
    return b.length() <= maxChars ? b : b.substring(0, maxChars) + "...";
  }
}
