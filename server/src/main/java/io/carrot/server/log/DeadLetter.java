package io.carrot.server.log;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.files.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;

/**
 * Where rows go that the database refused or that did not fit in the write queue: a JSON-lines
 * file, one object per row, {@code {"version": 1, "reason", "error", "at", "row": {...}}} with the
 * row's fields as {@link LogEntry} names them. Each call appends its lines with one write on a file
 * opened for appending and forces them to disk before returning, so a crash leaves whole lines (at
 * most the last one torn, which readers skip). Thread-safe.
 */
public final class DeadLetter {
  public static final int VERSION = 1;
  private final Path file;

  public DeadLetter(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  /**
   * Appends {@code rows}; returns false (and writes nothing) when the file cannot be written, e.g.
   * on a full disk.
   */
  public synchronized boolean append(List<LogEntry> rows, String reason, String error) {
    if (rows.isEmpty()) {
      return true;
    }
    StringBuilder sb = new StringBuilder();
    String at = Instant.now().toString();
    for (LogEntry e : rows) {
      ObjectNode o = Json.COMPACT.createObjectNode();
      o.put("version", VERSION).put("reason", reason).put("error", error).put("at", at);
      o.set("row", Json.COMPACT.valueToTree(e));
      sb.append(o).append('\n');
    }
    ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(false);
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
