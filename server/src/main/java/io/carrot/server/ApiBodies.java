package io.carrot.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Validates the bodies of {@code POST /v1/responses} and {@code POST /v1/embeddings} into the
 * {@link ChatRequest} shape the proxy works with (model, stream, the text the router reads, all the
 * text). As for chat completions, only what carrot needs is checked; every other field goes upstream
 * untouched.
 */
final class ApiBodies {
  private ApiBodies() {}

  /**
   * A Responses API body: {@code model}, {@code input} (a string, or a list of items such as
   * {@code {"role": "user", "content": "..." | [{"type": "input_text", "text": "..."}]}}), optional
   * {@code instructions} and {@code stream}. The router reads the last user item's text (all text
   * when there is none).
   */
  static ChatRequest responses(ObjectNode body) {
    String model = ChatRequest.model(body);
    boolean stream = ChatRequest.stream(body);
    JsonNode input = body.get("input");
    if (input == null || input.isNull()) {
      throw ApiError.badRequest("input", "'input' is missing: send a string or a non-empty list of input items");
    }
    List<String> texts = new ArrayList<>();
    JsonNode instructions = body.get("instructions");
    if (instructions != null && instructions.isTextual()) {
      texts.add(instructions.asText());
    }
    String lastUser = null;
    if (input.isTextual()) {
      lastUser = input.asText();
      texts.add(lastUser);
    } else if (input.isArray() && !input.isEmpty()) {
      for (int i = 0; i < input.size(); i++) {
        JsonNode item = input.get(i);
        if (!item.isObject()) {
          throw ApiError.badRequest("input[" + i + "]", "input[" + i + "] must be an object, got " + kind(item));
        }
        String text = text(item.has("content") ? item.get("content") : item.get("output"));
        texts.add(text);
        if ("user".equals(item.path("role").asText(null))) {
          lastUser = text;
        }
      }
    } else {
      throw ApiError.badRequest("input", "'input' must be a string or a non-empty list of input items, got " + kind(input));
    }
    String all = String.join("\n", texts);
    return new ChatRequest(body, model, stream, false, lastUser != null ? lastUser : all, all);
  }

  /**
   * An embeddings body: {@code model} and {@code input} (a string, a list of strings, or token
   * lists, which carry no text to count). Never streamed.
   */
  static ChatRequest embeddings(ObjectNode body) {
    String model = ChatRequest.model(body);
    JsonNode input = body.get("input");
    if (input == null || input.isNull()) {
      throw ApiError.badRequest("input", "'input' is missing: send a string or a list of strings");
    }
    if (!input.isTextual() && !input.isArray()) {
      throw ApiError.badRequest("input", "'input' must be a string or a list of strings, got " + kind(input));
    }
    List<String> texts = new ArrayList<>();
    if (input.isTextual()) {
      texts.add(input.asText());
    }
    for (JsonNode t : input) {
      if (t.isTextual()) {
        texts.add(t.asText());
      }
    }
    String all = String.join("\n", texts);
    return new ChatRequest(body, model, false, false, all, all);
  }

  /** The text of a content field: a string, or the {@code text} of each part of a list. */
  private static String text(JsonNode c) {
    if (c == null || c.isNull()) {
      return "";
    }
    if (c.isTextual()) {
      return c.asText();
    }
    return ChatRequest.partsText(c);
  }

  private static String kind(JsonNode n) {
    return n.getNodeType().toString().toLowerCase(Locale.ROOT);
  }
}
