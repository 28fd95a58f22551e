package io.carrot.collect.dataset;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.CarrotException;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.core.files.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a dataset folder in carrot's format ({@code prompts.jsonl.gz}, {@code models.json},
 * {@code split.json}, {@code README.md}) that {@link io.carrot.core.data.DatasetReader} reads back.
 *
 * <p>The folder appears whole or not at all: the files are written and synced in a hidden staging
 * folder beside the target, which is then renamed into place. Replacing an existing dataset folder
 * renames the old one aside first (other files in it are carried over), so a crash leaves either
 * the old folder or the new one, plus a hidden leftover to delete. The bytes are deterministic:
 * same dataset and README, same files.
 */
public final class DatasetWriter {
  /** The files this writer owns inside a dataset folder. */
  public static final Set<String> FILES =
      Set.of("prompts.jsonl.gz", "prompts.jsonl", "models.json", "split.json", "README.md");

  private DatasetWriter() {}

  public static void write(Dataset dataset, String readme, Path dir) {
    Path target = dir.toAbsolutePath().normalize();
    Path parent = target.getParent();
    if (parent == null) {
      throw new CarrotException("--out " + dir + ": cannot write a dataset at the file system root");
    }
    checkTarget(target);
    String nonce = Long.toString(System.nanoTime(), 36);
    Path staging = parent.resolve("." + target.getFileName() + ".staging-" + nonce);
    try {
      Files.createDirectories(parent);
      Files.createDirectory(staging);
      writeSynced(staging.resolve("prompts.jsonl.gz"), promptsGz(dataset));
      writeSynced(staging.resolve("models.json"), (Json.MAPPER.writeValueAsString(dataset.prices().toJson()) + "\n").getBytes(StandardCharsets.UTF_8));
      writeSynced(staging.resolve("split.json"), splitJson(dataset).getBytes(StandardCharsets.UTF_8));
      writeSynced(staging.resolve("README.md"), readme.getBytes(StandardCharsets.UTF_8));
      if (!Files.exists(target)) {
        move(staging, target);
      } else {
        Path old = parent.resolve("." + target.getFileName() + ".old-" + nonce);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(target)) {
          for (Path e : entries) {
            if (!FILES.contains(e.getFileName().toString())) {
              move(e, staging.resolve(e.getFileName()));
            }
          }
        }
        move(target, old);
        move(staging, target);
        deleteTree(old);
      }
    } catch (IOException | UncheckedIOException e) {
      throw new CarrotException("cannot write dataset folder " + dir + ": " + e.getMessage(), e);
    } finally {
      if (Files.exists(staging)) {
        try {
          deleteTree(staging);
        } catch (IOException | UncheckedIOException ignored) {
          // The staging folder is hidden and named as such; a failed clean-up loses nothing.
        }
      }
    }
  }

  /** Refuses to replace a folder that is neither empty nor a dataset, e.g. {@code --out .}. */
  private static void checkTarget(Path target) {
    if (!Files.exists(target)) {
      return;
    }
    if (!Files.isDirectory(target)) {
      throw new CarrotException("--out " + target + " is a file; expected a folder for the dataset");
    }
    boolean dataset = Files.exists(target.resolve("models.json"))
        || Files.exists(target.resolve("prompts.jsonl.gz"))
        || Files.exists(target.resolve("prompts.jsonl"));
    if (!dataset && !isEmpty(target)) {
      throw new CarrotException(
          "--out " + target + " exists and is not a dataset folder; expected a new or empty folder, or a dataset to replace");
    }
  }

  private static boolean isEmpty(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    } catch (IOException e) {
      throw new CarrotException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The {@code prompts.jsonl.gz} bytes: one JSON object per prompt, gzip with no timestamp. */
  public static byte[] promptsGz(Dataset d) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream gz = new GZIPOutputStream(bytes)) {
      for (PromptRecord r : d.prompts()) {
        gz.write(Json.COMPACT.writeValueAsBytes(promptJson(d, r)));
        gz.write('\n');
      }
    } catch (IOException e) {
      throw new CarrotException("cannot encode the prompts of dataset '" + d.name() + "': " + e.getMessage(), e);
    }
    return bytes.toByteArray();
  }

  /** One prompt as the JSON object of the dataset format. */
  public static ObjectNode promptJson(Dataset d, PromptRecord r) {
    ObjectNode o = Json.COMPACT.createObjectNode();
    o.put("id", r.id());
    o.put("prompt", r.prompt());
    o.put("source", r.source());
    perModel(o.putObject("scores"), d.models(), r.scores(), false);
    perModel(o.putObject("input_tokens"), d.models(), r.inputTokens(), true);
    perModel(o.putObject("output_tokens"), d.models(), r.outputTokens(), true);
    if (r.cost() != null) {
      perModel(o.putObject("cost"), d.models(), r.cost(), false);
    }
    return o;
  }

  /** Token counts print as integers when they are whole (they nearly always are). */
  private static void perModel(ObjectNode o, List<String> models, double[] v, boolean counts) {
    for (int m = 0; m < models.size(); m++) {
      double x = v[m];
      if (Double.isNaN(x)) {
        continue; // sparse dataset: the model has no entry for this prompt
      }
      if (counts && x == Math.rint(x) && Math.abs(x) < 1e15) {
        o.put(models.get(m), (long) x);
      } else {
        o.put(models.get(m), x);
      }
    }
  }

  /** {@code split.json}: ids per split, in split order. */
  public static String splitJson(Dataset d) {
    ObjectNode root = Json.COMPACT.createObjectNode();
    for (Split s : Split.values()) {
      var arr = root.putArray(s.key());
      for (PromptRecord r : d.rows(s)) {
        arr.add(r.id());
      }
    }
    try {
      return Json.COMPACT.writeValueAsString(root) + "\n";
    } catch (IOException e) {
      throw new CarrotException("cannot encode the splits of dataset '" + d.name() + "': " + e.getMessage(), e);
    }
  }

  private static void writeSynced(Path file, byte[] content) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(content);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    List<Path> all = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      s.forEach(all::add);
    }
    all.sort(Comparator.reverseOrder());
    for (Path p : all) {
      Files.deleteIfExists(p);
    }
  }
}
