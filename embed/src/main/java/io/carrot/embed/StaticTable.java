package io.carrot.embed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.CarrotException;
import io.carrot.core.files.AtomicFiles;
import io.carrot.core.files.Json;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A static token-embedding table: one row per vocabulary token, stored as int8 with one float32
 * scale per row, and the provenance of how it was made. {@link StaticEmbedder} turns a prompt into
 * the normalized sum of its tokens' rows; {@link StaticDistiller} makes a table from a transformer.
 *
 * <p>File format (little-endian):
 * <pre>
 *   "CARROTST" | format_version int32 | header length int32 | header JSON (UTF-8)
 *   scales:  vocab_size x float32
 *   rows:    vocab_size x dimension x int8       (row t = scales[t] * rows[t])
 * </pre>
 * The header carries {@code id}, {@code dimension}, {@code vocab_size}, {@code vocab_sha256} (of the
 * tokenizer's tokens in id order, one per line), the tokenizer resource, and a free-form
 * {@code provenance} object (source model, its SHA-256, how the rows were made). The token weights
 * are folded into the rows, so a reader needs nothing else.
 *
 * @param id embedder id of the vectors, e.g. {@code static-minilm-256}
 * @param tokenizerResource classpath location of the tokenizer whose ids index the rows
 * @param vocabSha256 hex SHA-256 of the tokenizer's vocabulary ({@link #vocabSha256(WordPieceTokenizer)})
 * @param provenance how the table was made (JSON object)
 */
public record StaticTable(
    String id, String tokenizerResource, String vocabSha256, int dimension, float[] scales, byte[] rows,
    JsonNode provenance) {

  /** Version of the file format this class reads and writes. */
  public static final int FORMAT_VERSION = 1;
  private static final byte[] MAGIC = "CARROTST".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_HEADER = 1 << 20;

  public StaticTable {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(tokenizerResource, "tokenizerResource");
    Objects.requireNonNull(vocabSha256, "vocabSha256");
    Objects.requireNonNull(provenance, "provenance");
    if (dimension < 1) {
      throw new CarrotException("static table " + id + ": dimension " + dimension + "; expected at least 1");
    }
    if ((long) scales.length * dimension != rows.length) {
      throw new CarrotException(
          "static table " + id + ": " + rows.length + " row bytes for " + scales.length + " tokens of "
              + dimension + " dimensions; expected " + (long) scales.length * dimension);
    }
  }

  /** Tokens in the table. */
  public int vocabSize() {
    return scales.length;
  }

  /**
   * Quantizes float rows (one per token, already weighted) to int8 with a scale per row: the
   * largest magnitude of a row maps to 127, so every row keeps its full relative precision.
   */
  public static StaticTable quantize(
      String id, String tokenizerResource, String vocabSha256, float[][] weightedRows, JsonNode provenance) {
    int dim = weightedRows[0].length;
    float[] scales = new float[weightedRows.length];
    byte[] rows = new byte[weightedRows.length * dim];
    for (int t = 0; t < weightedRows.length; t++) {
      float max = 0;
      for (float x : weightedRows[t]) {
        max = Math.max(max, Math.abs(x));
      }
      scales[t] = max / 127f;
      if (max == 0) {
        continue;
      }
      for (int d = 0; d < dim; d++) {
        rows[t * dim + d] = (byte) Math.round(weightedRows[t][d] / scales[t]);
      }
    }
    return new StaticTable(id, tokenizerResource, vocabSha256, dim, scales, rows, provenance);
  }

  /** Hex SHA-256 of a tokenizer's vocabulary: its tokens in id order, each followed by a newline. */
  public static String vocabSha256(WordPieceTokenizer tokenizer) {
    int[] all = new int[tokenizer.vocabSize()];
    Arrays.setAll(all, i -> i);
    List<String> tokens = tokenizer.tokens(all);
    var sha = EmbeddingCache.digest();
    for (String t : tokens) {
      sha.update((t + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /** Writes the table atomically. */
  public void write(Path file) {
    ObjectNode header = Json.COMPACT.createObjectNode();
    header.put("format", "carrot-static-embeddings");
    header.put("format_version", FORMAT_VERSION);
    header.put("id", id);
    header.put("dimension", dimension);
    header.put("vocab_size", vocabSize());
    header.put("vocab_sha256", vocabSha256);
    header.put("tokenizer", tokenizerResource);
    header.put("quantization", "int8 rows, one float32 scale per row");
    header.set("provenance", provenance);
    byte[] json;
    try {
      json = Json.MAPPER.writeValueAsBytes(header);
    } catch (IOException e) {
      throw new CarrotException("static table " + id + ": cannot encode its header: " + e.getMessage(), e);
    }
    AtomicFiles.write(file, out -> {
      ByteBuffer head = ByteBuffer.allocate(MAGIC.length + 8).order(ByteOrder.LITTLE_ENDIAN);
      head.put(MAGIC).putInt(FORMAT_VERSION).putInt(json.length);
      out.write(head.array());
      out.write(json);
      ByteBuffer s = ByteBuffer.allocate(4 * scales.length).order(ByteOrder.LITTLE_ENDIAN);
      s.asFloatBuffer().put(scales);
      out.write(s.array());
      out.write(rows);
    });
  }

  /** Reads a table file. */
  public static StaticTable read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString());
    } catch (IOException e) {
      throw new CarrotException("static table " + file + ": cannot read: " + e.getMessage(), e);
    }
  }

  /** Reads a table from a stream; {@code source} names it in errors. */
  public static StaticTable read(InputStream stream, String source) {
    try {
      DataInputStream in = new DataInputStream(stream);
      byte[] magic = new byte[MAGIC.length];
      in.readFully(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new CarrotException(source + ": does not start with CARROTST; expected a carrot static embedding table");
      }
      ByteBuffer ints = ByteBuffer.wrap(in.readNBytes(8)).order(ByteOrder.LITTLE_ENDIAN);
      if (ints.remaining() < 8) {
        throw new EOFException("header");
      }
      int version = ints.getInt();
      int headerLength = ints.getInt();
      if (version != FORMAT_VERSION) {
        throw new CarrotException(source + ": static table format version " + version + "; expected " + FORMAT_VERSION);
      }
      if (headerLength < 2 || headerLength > MAX_HEADER) {
        throw new CarrotException(source + ": header length " + headerLength + "; expected 2.." + MAX_HEADER);
      }
      JsonNode h = Json.MAPPER.readTree(readExactly(in, headerLength));
      int dim = h.path("dimension").asInt(0);
      int vocab = h.path("vocab_size").asInt(0);
      if (dim < 1 || vocab < 1 || (long) vocab * dim > Integer.MAX_VALUE - 8) {
        throw new CarrotException(
            source + ": dimension " + dim + " and vocab_size " + vocab + "; expected positive sizes of a table that fits in memory");
      }
      float[] scales = new float[vocab];
      ByteBuffer.wrap(readExactly(in, 4 * vocab)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(scales);
      byte[] rows = readExactly(in, vocab * dim);
      if (in.read() != -1) {
        throw new CarrotException(source + ": bytes after the last row; expected exactly " + vocab + " x " + dim);
      }
      return new StaticTable(
          text(h, "id", source), text(h, "tokenizer", source), text(h, "vocab_sha256", source), dim, scales, rows,
          h.path("provenance"));
    } catch (EOFException e) {
      throw new CarrotException(source + ": ends early; the static table is truncated", e);
    } catch (IOException e) {
      throw new CarrotException(source + ": cannot read the static table: " + e.getMessage(), e);
    }
  }

  private static byte[] readExactly(DataInputStream in, int n) throws IOException {
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  private static String text(JsonNode h, String field, String source) {
    String v = h.path(field).asText("");
    if (v.isBlank()) {
      throw new CarrotException(source + ": header has no '" + field + "'; expected a non-empty string");
    }
    return v;
  }
}
