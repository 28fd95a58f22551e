package io.carrot.collect.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.CarrotException;
import io.carrot.core.files.AtomicFiles;
import io.carrot.core.files.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only record of every finished (paid) call of a collection, one JSON object per line,
 * synced to disk before the call counts as done. Resuming reads it back, so a finished call is never
 * made (or paid) again, whether the run ended by Ctrl-C, a crash, {@code kill -9} or the spend cap.
 *
 * <p>Record types (all carry {@code "v": 1}, {@code prompt_id}, {@code model} and {@code time}):
 *
 * <ul>
 *   <li>{@code answer}: a candidate's answer: {@code text}, {@code input_tokens} and {@code
 *       output_tokens} as the API reported them, {@code latency_ms}, {@code attempts}, {@code
 *       finish_reason}, {@code cost_usd}, and {@code prompt_sha} (answers to a prompt whose text has
 *       changed since are ignored);
 *   <li>{@code judge}: one judge call on an answer: {@code judge}, {@code rubric}, {@code
 *       answer_sha}, the judge's {@code output}, the parsed {@code score} (null when malformed),
 *       tokens, latency and {@code cost_usd};
 *   <li>{@code error}: a call that failed for good ({@code call}, {@code error}, {@code retryable});
 *       informational, a later run tries again.
 * </ul>
 *
 * <p>A torn last line (the process died mid-write) is cut off when the file is opened; any other
 * unreadable line is an error naming it, unless the checkpoint is opened with {@code skipDamaged}
 * ({@code carrot collect --skip-damaged}), which keeps the good records. Thread-safe.
 */
public final class Checkpoint implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Checkpoint.class);
  public static final int VERSION = 1;

  /** A recorded answer. */
  public record Answer(String text, long inputTokens, long outputTokens, long latencyMillis, double costUsd, Instant time) {}

  /** A recorded judge call; {@code score} empty when the output was malformed. */
  public record JudgeCall(String judge, String rubric, String answerSha, Optional<Double> score, String output, double costUsd) {}

  private record Key(String promptId, String model) {}

  private final Path file;
  private FileChannel channel;
  private int skippedDamaged;
  private final Map<Key, Answer> answers = new ConcurrentHashMap<>();
  private final Map<Key, String> answerPromptSha = new ConcurrentHashMap<>();
  private final Map<Key, List<JudgeCall>> judgeCalls = new ConcurrentHashMap<>();
  private final Map<Key, String> errors = new ConcurrentHashMap<>();
  private double spent;
  private Instant first;
  private Instant last;
  private int lines;

  private Checkpoint(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
  }

  /** Opens (creating if needed) the checkpoint and loads what it holds; a damaged line is an error. */
  public static Checkpoint open(Path file) {
    return open(file, false);
  }

  /**
   * Opens (creating if needed) the checkpoint and loads what it holds. With {@code skipDamaged}, a
   * damaged line (not JSON, or not a record this version writes) is moved to {@code
   * <file>.damaged} and the checkpoint rewritten without it, atomically; its call is made again.
   * Without it, such a line is an error naming it.
   */
  public static Checkpoint open(Path file, boolean skipDamaged) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      Checkpoint c = new Checkpoint(file, ch);
      try {
        c.load(skipDamaged);
      } catch (IOException | RuntimeException e) {
        c.close();
        throw e;
      }
      return c;
    } catch (IOException e) {
      throw new CarrotException("cannot open checkpoint " + file + ": " + e.getMessage(), e);
    }
  }

  /** Lines moved to {@code <file>.damaged} when this checkpoint was opened with skipDamaged. */
  public int skippedDamaged() {
    return skippedDamaged;
  }

  /** Where {@link #open(Path, boolean)} keeps the damaged lines it skipped. */
  public Path damagedFile() {
    return file.resolveSibling(file.getFileName() + ".damaged");
  }

  private void load(boolean skipDamaged) throws IOException {
    byte[] all = Files.readAllBytes(file);
    ByteArrayOutputStream good = new ByteArrayOutputStream();
    List<String> damaged = new ArrayList<>();
    int start = 0;
    int lineNo = 0;
    while (start < all.length) {
      int nl = indexOf(all, (byte) '\n', start);
      lineNo++;
      if (nl < 0) {
        LOG.warn("{}: cutting off a torn last line ({} bytes) left by an interrupted write", file, all.length - start);
        channel.truncate(start);
        channel.force(true);
        break;
      }
      String line = new String(all, start, nl - start, StandardCharsets.UTF_8);
      int lineStart = start;
      start = nl + 1;
      if (line.isBlank()) {
        continue;
      }
      String where = file.getFileName() + " line " + lineNo;
      JsonNode o;
      try {
        o = Json.COMPACT.readTree(line);
        checkReadable(o, where);
      } catch (JsonProcessingException | CarrotException e) {
        if (!skipDamaged) {
          String why = e instanceof JsonProcessingException j ? "not a JSON record (" + j.getOriginalMessage() + ")" : e.getMessage();
          throw new CarrotException(file + " line " + lineNo + ": " + why + "; the checkpoint is damaged: rerun with"
              + " --skip-damaged to keep its good records (the damaged lines' calls are made again), or move it aside to start over");
        }
        damaged.add(line);
        continue;
      }
      apply(o, where);
      lines++;
      good.write(all, lineStart, start - lineStart);
    }
    if (!damaged.isEmpty()) {
      // the damaged lines first, so that nothing is lost if the rewrite below fails
      Files.write(damagedFile(), damaged, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      AtomicFiles.write(file, good::writeTo);
      channel.close();
      channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
      skippedDamaged = damaged.size();
      LOG.warn("{}: moved {} damaged lines to {}", file, damaged.size(), damagedFile());
    }
    channel.position(channel.size());
  }

  /** Fails for a record that {@link #apply} cannot take whole: an unparsable time or an unknown type. */
  private static void checkReadable(JsonNode o, String where) {
    if (!o.isObject()) {
      throw new CarrotException(where + ": not a JSON object");
    }
    if (o.hasNonNull("time")) {
      try {
        Instant.parse(o.get("time").asText());
      } catch (java.time.format.DateTimeParseException e) {
        throw new CarrotException(where + ": time '" + o.get("time").asText() + "' is not an ISO-8601 instant");
      }
    }
    if (o.path("v").asInt() == VERSION && !List.of("answer", "judge", "error").contains(o.path("type").asText())) {
      throw new CarrotException(where + ": unknown record type '" + o.path("type").asText() + "'");
    }
  }

  private static int indexOf(byte[] b, byte x, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == x) {
        return i;
      }
    }
    return -1;
  }

  private void apply(JsonNode o, String where) {
    if (o.path("v").asInt() != VERSION) {
      throw new CarrotException(where + ": checkpoint record version " + o.path("v") + ", expected " + VERSION);
    }
    Key key = new Key(o.path("prompt_id").asText(), o.path("model").asText());
    Instant time = o.hasNonNull("time") ? Instant.parse(o.get("time").asText()) : Instant.EPOCH;
    double cost = o.path("cost_usd").asDouble(0);
    synchronized (this) {
      spent += cost;
      if (first == null || time.isBefore(first)) {
        first = time;
      }
      if (last == null || time.isAfter(last)) {
        last = time;
      }
    }
    switch (o.path("type").asText()) {
      case "answer" -> {
        answers.put(key, new Answer(o.path("text").asText(), o.path("input_tokens").asLong(),
            o.path("output_tokens").asLong(), o.path("latency_ms").asLong(), cost, time));
        answerPromptSha.put(key, o.path("prompt_sha").asText());
        errors.remove(key);
      }
      case "judge" -> judgeCalls.computeIfAbsent(key, k -> java.util.Collections.synchronizedList(new ArrayList<>()))
          .add(new JudgeCall(o.path("judge").asText(), o.path("rubric").asText(), o.path("answer_sha").asText(),
              o.hasNonNull("score") ? Optional.of(o.get("score").asDouble()) : Optional.empty(),
              o.path("output").asText(), cost));
      case "error" -> errors.put(key, o.path("error").asText());
      default -> throw new CarrotException(where + ": unknown record type '" + o.path("type").asText() + "'");
    }
  }

  /** Appends one record and syncs it to disk; it counts as done only after this returns. */
  public void append(ObjectNode record) {
    record.put("v", VERSION);
    if (!record.has("time")) {
      record.put("time", Instant.now().toString());
    }
    byte[] bytes;
    try {
      bytes = (Json.COMPACT.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CarrotException("cannot encode a checkpoint record: " + e.getMessage(), e);
    }
    synchronized (this) {
      try {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          channel.write(buf);
        }
        channel.force(false);
      } catch (IOException e) {
        throw new CarrotException("cannot append to checkpoint " + file + ": " + e.getMessage(), e);
      }
      lines++;
    }
    apply(record, file.getFileName().toString());
  }

  /** The answer recorded for this prompt and model, if its prompt text is still {@code promptSha}. */
  public Optional<Answer> answer(String promptId, String model, String promptSha) {
    Key k = new Key(promptId, model);
    Answer a = answers.get(k);
    return a != null && promptSha.equals(answerPromptSha.get(k)) ? Optional.of(a) : Optional.empty();
  }

  /** Judge calls recorded for this answer by this judge under this rubric. */
  public List<JudgeCall> judgeCalls(String promptId, String model, String judge, String rubric, String answerSha) {
    List<JudgeCall> all = judgeCalls.getOrDefault(new Key(promptId, model), List.of());
    List<JudgeCall> out = new ArrayList<>();
    synchronized (all) {
      for (JudgeCall c : all) {
        if (c.judge().equals(judge) && c.rubric().equals(rubric) && c.answerSha().equals(answerSha)) {
          out.add(c);
        }
      }
    }
    return out;
  }

  /** The last error recorded for this prompt and model since its last answer, if any. */
  public Optional<String> error(String promptId, String model) {
    return Optional.ofNullable(errors.get(new Key(promptId, model)));
  }

  /** USD of every call recorded, over all runs. */
  public synchronized double spent() {
    return spent;
  }

  /** Time of the first and last record; empty when there is none. */
  public synchronized Optional<Instant[]> timeRange() {
    return first == null ? Optional.empty() : Optional.of(new Instant[] {first, last});
  }

  public synchronized int records() {
    return lines;
  }

  public Path file() {
    return file;
  }

  /** First 16 hex digits of SHA-256: identifies a prompt or answer text in records. */
  public static String sha(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.warn("closing {}: {}", file, e.toString());
    }
  }
}
