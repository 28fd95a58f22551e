package io.carrot.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.files.Json;
import io.carrot.server.log.DecisionLog;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;

/** Reading bounded JSON bodies and writing JSON answers and OpenAI-shaped errors. */
final class Http {
  private Http() {}

  /** The body as a JSON object; 413 over {@code limit} bytes, 400 when it is not a JSON object. */
  static ObjectNode readObject(Context ctx, long limit) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > limit) {
      throw ApiError.tooLarge(limit);
    }
    byte[] bytes;
    try (InputStream in = ctx.req().getInputStream()) {
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
    } catch (IOException e) {
      throw ApiError.badRequest(null, "cannot read the request body: " + e.getMessage());
    }
    if (bytes.length > limit) {
      throw ApiError.tooLarge(limit);
    }
    if (bytes.length == 0) {
      throw ApiError.badRequest(null, "the request body is empty; expected a JSON object");
    }
    JsonNode n;
    try {
      n = Json.COMPACT.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw ApiError.badRequest(null, "malformed JSON body: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiError.badRequest(null, "cannot read the request body: " + e.getMessage());
    }
    if (n == null || !n.isObject()) {
      throw ApiError.badRequest(null, "the request body must be a JSON object, got " + (n == null ? "nothing" : n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
    }
    String broken = unpairedSurrogate(n, "");
    if (broken != null) {
      throw ApiError.badRequest(broken.isEmpty() ? null : broken,
          "the body holds an unpaired UTF-16 surrogate escape (\\ud800-\\udfff without its pair)"
              + (broken.isEmpty() ? "" : " in '" + broken + "'") + "; strings must be valid Unicode");
    }
    return (ObjectNode) n;
  }

  /**
   * The path of the first string (value or field name) holding an unpaired surrogate, or null. JSON
   * lets a body escape one ({@code "\\ud800"}); no UTF-8 writer can send it on to an upstream or a log.
   */
  private static String unpairedSurrogate(JsonNode n, String path) {
    if (n.isTextual()) {
      return validUtf16(n.textValue()) ? null : path;
    }
    if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        String p = unpairedSurrogate(n.get(i), path + "[" + i + "]");
        if (p != null) {
          return p;
        }
      }
    } else if (n.isObject()) {
      for (var it = n.properties().iterator(); it.hasNext(); ) {
        var e = it.next();
        String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        if (!validUtf16(e.getKey())) {
          return p;
        }
        String inner = unpairedSurrogate(e.getValue(), p);
        if (inner != null) {
          return inner;
        }
      }
    }
    return null;
  }

  private static boolean validUtf16(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (DecisionLog.unpairedSurrogateAt(s, i)) {
        return false;
      }
    }
    return true;
  }


  static void json(Context ctx, int status, JsonNode body) {
    try {
      ctx.status(status).contentType("application/json").result(Json.COMPACT.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The OpenAI error body. */
  static ObjectNode errorBody(String message, String type, String param, String code) {
    ObjectNode root = Json.COMPACT.createObjectNode();
    ObjectNode e = root.putObject("error");
    e.put("message", message);
    e.put("type", type);
    if (param == null) {
      e.putNull("param");
    } else {
      e.put("param", param);
    }
    if (code == null) {
      e.putNull("code");
    } else {
      e.put("code", code);
    }
    return root;
  }

  static void error(Context ctx, ApiError e) {
    ObjectNode body = errorBody(e.getMessage(), e.type(), e.param(), e.code());
    if (e.attempts() != null) {
      ((ObjectNode) body.get("error")).set("attempts", e.attempts());
    }
    json(ctx, e.status(), body);
  }
}
