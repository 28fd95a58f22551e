package io.carrot.embed;

import io.carrot.core.CarrotException;
import io.carrot.core.embed.Embedder;
import io.carrot.core.linalg.VectorMath;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Objects;

/**
 * The fast encoder: a prompt's vector is the L2-normalized sum of its wordpieces' rows in a
 * {@link StaticTable} (the token weights are folded into the rows, so the sum is the weighted mean
 * up to its length, which the normalization removes). No model runs: a prompt costs its
 * tokenization and one pass over its tokens' rows, microseconds, whatever its length, and the whole
 * prompt is seen (there is no window).
 *
 * <p>Thread-safe and immutable.
 */
public final class StaticEmbedder implements Embedder {

  /** Classpath location of the table distilled from all-MiniLM-L6-v2 that carrot ships. */
  public static final String SHIPPED_RESOURCE = "io/carrot/embed/static-minilm.carrot-static";

  private final StaticTable table;
  private final WordPieceTokenizer tokenizer;

  /**
   * Binds a table to its tokenizer.
   *
   * @throws CarrotException when the tokenizer's vocabulary is not the one the table was made for
   */
  public StaticEmbedder(StaticTable table, WordPieceTokenizer tokenizer) {
    this.table = Objects.requireNonNull(table, "table");
    this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    if (tokenizer.vocabSize() != table.vocabSize()) {
      throw new CarrotException(
          "static table " + table.id() + ": " + table.vocabSize() + " rows; expected one per token of its tokenizer ("
              + tokenizer.vocabSize() + ")");
    }
    String vocab = StaticTable.vocabSha256(tokenizer);
    if (!vocab.equals(table.vocabSha256())) {
      throw new CarrotException(
          "static table " + table.id() + ": made for vocabulary " + table.vocabSha256() + "; the tokenizer "
              + table.tokenizerResource() + " has " + vocab);
    }
  }

  /** The table shipped in this jar ({@link #SHIPPED_RESOURCE}) with its tokenizer. */
  public static StaticEmbedder shipped() {
    return fromClasspath(SHIPPED_RESOURCE);
  }

  /** A table file (from {@code carrot embed distill}) with the tokenizer it names. */
  public static StaticEmbedder fromFile(java.nio.file.Path file) {
    StaticTable t = StaticTable.read(file);
    return new StaticEmbedder(t, WordPieceTokenizer.fromClasspath(t.tokenizerResource()));
  }

  /** A table from the classpath with the tokenizer it names. */
  public static StaticEmbedder fromClasspath(String resource) {
    try (InputStream in = StaticEmbedder.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new CarrotException("static table: '" + resource + "' is not on the classpath; expected the carrot-embed jar");
      }
      StaticTable t = StaticTable.read(in, resource);
      return new StaticEmbedder(t, WordPieceTokenizer.fromClasspath(t.tokenizerResource()));
    } catch (IOException e) {
      throw new CarrotException("static table " + resource + ": cannot read: " + e.getMessage(), e);
    }
  }

  /** e.g. {@code static-minilm-256}. */
  @Override
  public String id() {
    return table.id();
  }

  @Override
  public int dimension() {
    return table.dimension();
  }

  /** The table. */
  public StaticTable table() {
    return table;
  }

  @Override
  public float[][] embed(List<String> texts) {
    return Texts.each(texts, text -> vector(tokenizer.wordPieceIds(text)));
  }

  /** The normalized sum of the rows of {@code ids}; all zeros for no tokens. */
  float[] vector(int[] ids) {
    int dim = table.dimension();
    float[] scales = table.scales();
    byte[] rows = table.rows();
    double[] sum = new double[dim];
    for (int id : ids) {
      float s = scales[id];
      int off = id * dim;
      for (int d = 0; d < dim; d++) {
        sum[d] += s * rows[off + d];
      }
    }
    return VectorMath.normalized(sum);
  }

  @Override
  public String toString() {
    return "StaticEmbedder[" + table.id() + "]";
  }
}
