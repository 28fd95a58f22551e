package io.carrot.server.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import io.carrot.core.files.Json;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Relays an upstream's server-sent events to the client line by line, as they arrive, flushing at
 * each event's end; nothing is buffered beyond one line.
 *
 * <p>On the way it reads the completion id and the usage chunk. When carrot asked the upstream for
 * usage and the client did not, the usage-only event ({@code "choices": []}) is left out, so the
 * client sees the stream it asked for.
 *
 * <p>Use: {@link #readFirst()} before committing the response (a failure there may still fall
 * back), then {@link #pump(OutputStream)}.
 */
public final class SseRelay {
  private static final int MAX_LINE = 8 << 20;

  private final InputStream in;
  private final boolean dropUsageEvent;
  private byte[] buf = new byte[8192];
  private int len;
  private byte[] first;
  private boolean skipping;

  private String completionId;
  private Long promptTokens;
  private Long completionTokens;
  private long bytesOut;

  public SseRelay(InputStream upstream, boolean dropUsageEvent) {
    this.in = new BufferedInputStream(upstream, 16384);
    this.dropUsageEvent = dropUsageEvent;
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
   * @throws ClientGoneException when writing to the client fails
   * @throws IOException when reading the upstream fails mid-stream
   */
  public void pump(OutputStream out) throws IOException {
    pump(out, () -> {});
  }

  /**
   * Copies the rest of the stream to {@code out}, running {@code beforeDone} just before the final
   * {@code data: [DONE]} event is written (the caller stores the request's row there, so that a
   * client that has the whole answer implies a stored row).
   */
  public void pump(OutputStream out, Runnable beforeDone) throws IOException {
    byte[] line = first;
    first = null;
    while (line != null) {
      if (isDone(line)) {
        beforeDone.run();
      }
      if (keep(line)) {
        try {
          out.write(line);
          bytesOut += line.length;
          if (isBlank(line)) {
            out.flush();
          }
        } catch (IOException e) {
          throw new ClientGoneException(e);
        }
      }
      line = readLine();
    }
    try {
      out.flush();
    } catch (IOException e) {
      throw new ClientGoneException(e);
    }
  }

  /** Writing to the client failed: it went away. */
  public static final class ClientGoneException extends IOException {
    private static final long serialVersionUID = 1L;

    ClientGoneException(IOException cause) {
      super("the client closed the connection: " + cause.getMessage(), cause);
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
    String payload = new String(line, 5, line.length - 5, java.nio.charset.StandardCharsets.UTF_8).strip();
    if (payload.isEmpty() || payload.charAt(0) != '{') {
      return true;
    }
    if (completionId == null || payload.contains("\"usage\"")) {
      JsonNode n;
      try {
        n = Json.COMPACT.readTree(payload);
      } catch (IOException e) {
        return true;
      }
      if (completionId == null && n.path("id").isTextual()) {
        completionId = n.path("id").asText();
      }
      JsonNode usage = n.path("usage");
      if (usage.isObject()) {
        if (usage.path("prompt_tokens").canConvertToLong()) {
          promptTokens = usage.path("prompt_tokens").asLong();
        }
        if (usage.path("completion_tokens").canConvertToLong()) {
          completionTokens = usage.path("completion_tokens").asLong();
        }
        JsonNode choices = n.path("choices");
        if (dropUsageEvent && choices.isArray() && choices.isEmpty()) {
          skipping = true;
          return false;
        }
      }
    }
    return true;
  }

  /** The next line including its line end, or null at the end of the stream. */
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
        break;
      }
    }
    return len == 0 ? null : Arrays.copyOf(buf, len);
  }

  private static boolean isDone(byte[] line) {
    return startsWith(line, "data: [DONE]") || startsWith(line, "data:[DONE]");
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

  /** Prompt tokens from the usage chunk, or null when the upstream sent none. */
  public Long promptTokens() {
    return promptTokens;
  }

  public Long completionTokens() {
    return completionTokens;
  }

  public long bytesOut() {
    return bytesOut;
  }
}
