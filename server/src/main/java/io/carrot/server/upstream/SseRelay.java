package io.carrot.server.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import io.carrot.core.files.Json;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Relays an upstream's server-sent events to the client line by line, as they arrive, flushing at
 * each event's end; nothing is buffered beyond one line, and only whole lines are written.
 *
 * <p>On the way it reads the completion id, the usage and the text delivered (for charging a stream
 * that breaks). When carrot asked a chat upstream for usage and the client did not, the usage-only
 * event ({@code "choices": []}) is left out, so the client sees the stream it asked for.
 *
 * <p>A stream is complete only with its end marker ({@code data: [DONE]} for chat completions, a
 * {@code response.completed}, {@code response.incomplete} or {@code response.failed} event for the
 * Responses API); one that stops before it, by a reset, a stall or a clean close, is broken:
 * {@link #pump} throws {@link UpstreamBrokenException} and the caller ends the client's stream with
 * an error event ({@link #writeError}).
 *
 * <p>Use: {@link #readFirst()} before committing the response (a failure there may still fall
 * back), then {@link #pump(OutputStream)}.
 */
public final class SseRelay {
  private static final int MAX_LINE = 8 << 20;

  private final InputStream in;
  private final Api api;
  private final boolean dropUsageEvent;
  private byte[] buf = new byte[8192];
  private int len;
  private byte[] first;
  private boolean skipping;
  private boolean complete;
  private boolean midEvent;

  private String completionId;
  private Usage usage = Usage.NONE;
  private final StringBuilder delivered = new StringBuilder();
  private long bytesOut;

  public SseRelay(InputStream upstream, Api api, boolean dropUsageEvent) {
    this.in = new BufferedInputStream(upstream, 16384);
    this.api = api;
    this.dropUsageEvent = dropUsageEvent && api == Api.CHAT;
  }

  /** Reads the first line; an IOException or an empty stream here means nothing reached the client. */
  public void readFirst() throws IOException {
    first = readLine();
    if (first == null) {
      throw new IOException("the upstream closed the stream before sending anything");
    }
  }

  /**
   * Copies the rest of the stream to {@code out}.
   *
   * @throws ClientGoneException when writing to the client fails, or the read was cancelled because
   *     the client left
   * @throws UpstreamBrokenException when the upstream's stream fails, stalls or ends before its end
   *     marker
   */
  public void pump(OutputStream out) throws IOException {
    pump(out, () -> {});
  }

  /**
   * Copies the rest of the stream to {@code out}, running {@code beforeDone} just before the line
   * that completes it (a chat stream's {@code data: [DONE]}, the data of a Responses stream's
   * terminal event) is written: the caller stores the request's row there, so that a client that
   * has the whole answer implies a stored row.
   */
  public void pump(OutputStream out, Runnable beforeDone) throws IOException {
    byte[] line = first;
    first = null;
    while (line != null) {
      boolean wasComplete = complete;
      boolean kept = keep(line);
      if (complete && !wasComplete) {
        beforeDone.run();
      }
      if (kept) {
        try {
          out.write(line);
          bytesOut += line.length;
          midEvent = !isBlank(line);
          if (!midEvent) {
            out.flush();
          }
        } catch (IOException e) {
          throw new ClientGoneException(e);
        }
      }
      try {
        line = readLine();
      } catch (GuardedInput.StallException e) {
        if (e.trip() == GuardedInput.Trip.CANCELLED) {
          throw new ClientGoneException(e);
        }
        throw new UpstreamBrokenException("timeout", e.getMessage(), e);
      } catch (IOException e) {
        throw new UpstreamBrokenException("stream_broken", "the upstream broke the stream: " + e.getClass().getSimpleName(), e);
      }
    }
    try {
      out.flush();
    } catch (IOException e) {
      throw new ClientGoneException(e);
    }
    if (!complete) {
      throw new UpstreamBrokenException("stream_broken", "the upstream ended the stream without its end marker", null);
    }
  }

  /**
   * Ends the client's stream with an OpenAI-shaped error event, {@code data: {"error": {...}}},
   * after closing an event the upstream left half-sent. No {@code [DONE]} follows.
   */
  public void writeError(OutputStream out, String message, String code) throws IOException {
    var root = Json.COMPACT.createObjectNode();
    var e = root.putObject("error");
    e.put("message", message).put("type", "upstream_error").putNull("param").put("code", code);
    String event = (midEvent ? "\n" : "") + "data: " + root + "\n\n";
    out.write(event.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** Writing to the client failed, or the client left: it went away. */
  public static final class ClientGoneException extends IOException {
    private static final long serialVersionUID = 1L;

    ClientGoneException(IOException cause) {
      super("the client closed the connection: " + cause.getMessage(), cause);
    }
  }

  /** The upstream's stream failed after its first event. */
  public static final class UpstreamBrokenException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String code;

    UpstreamBrokenException(String code, String message, IOException cause) {
      super(message, cause);
      this.code = code;
    }

    /** {@code timeout} or {@code stream_broken}. */
    public String code() {
      return code;
    }
  }

  private boolean keep(byte[] line) {
    if (skipping) {
      if (isBlank(line)) {
        skipping = false;
      }
      return false;
    }
    if (!startsWith(line, "data:")) {
      return true;
    }
    String payload = new String(line, 5, line.length - 5, StandardCharsets.UTF_8).strip();
    if (payload.equals("[DONE]")) {
      complete = true;
      return true;
    }
    if (payload.isEmpty() || payload.charAt(0) != '{') {
      return true;
    }
    JsonNode n;
    try {
      n = Json.COMPACT.readTree(payload);
    } catch (IOException e) {
      return true;
    }
    if (n == null || !n.isObject()) {
      return true;
    }
    return api == Api.RESPONSES ? responsesEvent(n) : chatEvent(n);
  }

  private boolean chatEvent(JsonNode n) {
    if (completionId == null && n.path("id").isTextual()) {
      completionId = n.path("id").asText();
    }
    for (JsonNode choice : n.path("choices")) {
      JsonNode delta = choice.path("delta");
      text(delta.path("content"));
      text(delta.path("refusal"));
      for (JsonNode call : delta.path("tool_calls")) {
        text(call.path("function").path("arguments"));
      }
    }
    JsonNode u = n.path("usage");
    if (u.isObject()) {
      usage = Usage.of(u, api);
      JsonNode choices = n.path("choices");
      if (dropUsageEvent && choices.isArray() && choices.isEmpty()) {
        skipping = true;
        return false;
      }
    }
    return true;
  }

  private boolean responsesEvent(JsonNode n) {
    String type = n.path("type").asText("");
    JsonNode response = n.path("response");
    if (completionId == null && response.path("id").isTextual()) {
      completionId = response.path("id").asText();
    }
    if (type.endsWith(".delta")) {
      text(n.path("delta"));
    }
    if (type.equals("response.completed") || type.equals("response.incomplete") || type.equals("response.failed")) {
      complete = true;
      usage = Usage.of(response.path("usage"), api);
    }
    return true;
  }

  private void text(JsonNode t) {
    if (t.isTextual()) {
      delivered.append(t.asText());
    }
  }

  /** The next whole line including its line end, or null at the end of the stream. */
  private byte[] readLine() throws IOException {
    len = 0;
    int b;
    while ((b = in.read()) >= 0) {
      if (len == buf.length) {
        if (len >= MAX_LINE) {
          throw new IOException("an upstream event line is longer than " + MAX_LINE + " bytes");
        }
        buf = Arrays.copyOf(buf, len * 2);
      }
      buf[len++] = (byte) b;
      if (b == '\n') {
        return Arrays.copyOf(buf, len);
      }
    }
    if (len > 0) {
      throw new IOException("the stream ended in the middle of a line");
    }
    return null;
  }

  private static boolean isBlank(byte[] line) {
    return (line.length == 1 && line[0] == '\n') || (line.length == 2 && line[0] == '\r' && line[1] == '\n');
  }

  private static boolean startsWith(byte[] line, String prefix) {
    if (line.length < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (line[i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  public String completionId() {
    return completionId;
  }

  /** The usage the stream reported (sanitized), or {@link Usage#NONE}. */
  public Usage usage() {
    return usage;
  }

  /** The answer text relayed so far (content, refusals, tool-call arguments). */
  public String deliveredText() {
    return delivered.toString();
  }

  public long bytesOut() {
    return bytesOut;
  }
}
