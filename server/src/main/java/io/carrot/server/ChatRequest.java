package io.carrot.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.files.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated {@code /v1/chat/completions} body. Only what carrot needs is checked (model, messages,
 * stream); every other field goes upstream untouched.
 *
 * @param body the request as received
 * @param model the requested model
 * @param stream whether the client asked for server-sent events
 * @param includeUsage whether the client asked for a usage chunk on the stream
 * @param routedText what the router reads: the last user message's text (all messages' text when
 *     there is no user message)
 * @param allText every message's text, for counting input tokens
 */
public record ChatRequest(ObjectNode body, String model, boolean stream, boolean includeUsage, String routedText, String allText) {

  /** Validates a parsed body; 400 naming the field when it is not a chat completion request. */
  public static ChatRequest parse(ObjectNode body) {
    String model = model(body);
    boolean isStream = stream(body);
    boolean usage = body.path("stream_options").path("include_usage").asBoolean(false);
    Texts t = messages(body.get("messages"));
    return new ChatRequest(body, model, isStream, usage, t.routed(), t.all());
  }

  /** The body's {@code model}; 400 when it is missing or not a string (every API has one). */
  static String model(ObjectNode body) {
    JsonNode model = body.get("model");
    if (model == null || model.isNull()) {
      throw ApiError.badRequest("model", "'model' is missing: use 'carrot' to be routed, or an upstream model's name");
    }
    if (!model.isTextual()) {
      throw ApiError.badRequest("model", "'model' must be a string, got " + kind(model));
    }
    return model.asText();
  }

  /** The body's {@code stream} flag; 400 when it is there and not a boolean. */
  static boolean stream(ObjectNode body) {
    JsonNode stream = body.get("stream");
    if (stream != null && !stream.isNull() && !stream.isBoolean()) {
      throw ApiError.badRequest("stream", "'stream' must be true or false, got " + stream);
    }
    return stream != null && stream.asBoolean(false);
  }

  private record Texts(String routed, String all) {}

  /** Checks {@code messages}; returns the text the router reads and all text. */
  private static Texts messages(JsonNode messages) {
    if (messages == null || messages.isNull()) {
      throw ApiError.badRequest("messages", "'messages' is missing: send a non-empty list of {\"role\", \"content\"}");
    }
    if (!messages.isArray() || messages.isEmpty()) {
      throw ApiError.badRequest("messages", "'messages' must be a non-empty list of {\"role\", \"content\"}, got " + kind(messages));
    }
    List<String> texts = new ArrayList<>();
    String lastUser = null;
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      if (!m.isObject()) {
        throw ApiError.badRequest("messages[" + i + "]", "messages[" + i + "] must be an object, got " + kind(m));
      }
      JsonNode role = m.get("role");
      if (role == null || !role.isTextual()) {
        throw ApiError.badRequest("messages[" + i + "].role", "messages[" + i + "].role must be a string such as \"user\"");
      }
      String text = content(m.get("content"), i);
      texts.add(text);
      if (role.asText().equals("user")) {
        lastUser = text;
      }
    }
    String all = String.join("\n", texts);
    return new Texts(lastUser != null ? lastUser : all, all);
  }

  private static String content(JsonNode c, int i) {
    if (c == null || c.isNull()) {
      return "";
    }
    if (c.isTextual()) {
      return c.asText();
    }
    if (c.isArray()) {
      return partsText(c);
    }
    throw ApiError.badRequest(
        "messages[" + i + "].content", "messages[" + i + "].content must be a string or a list of content parts, got " + kind(c));
  }

  /** The {@code text} of each part of a content list, one per line (images and the like carry none). */
  static String partsText(JsonNode parts) {
    StringBuilder sb = new StringBuilder();
    for (JsonNode part : parts) {
      if (part.isObject() && part.path("text").isTextual()) {
        if (!sb.isEmpty()) {
          sb.append('\n');
        }
        sb.append(part.get("text").asText());
      }
    }
    return sb.toString();
  }

  private static String kind(JsonNode n) {
    return n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The body to send upstream: the client's, with {@code model} set to the upstream's id and, when
   * {@code askUsage}, {@code stream_options.include_usage} turned on.
   */
  public byte[] bodyFor(String upstreamModel, boolean askUsage) {
    ObjectNode copy = body.deepCopy();
    copy.put("model", upstreamModel);
    if (stream && askUsage && !includeUsage) {
      JsonNode so = copy.get("stream_options");
      ObjectNode opts = so instanceof ObjectNode o ? o : copy.putObject("stream_options");
      opts.put("include_usage", true);
    }
    try {
      return Json.COMPACT.writeValueAsBytes(copy);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a parsed request", e);
    }
  }
}
