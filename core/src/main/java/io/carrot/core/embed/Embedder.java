package io.carrot.core.embed;

import java.util.List;

/**
 * Turns prompts into fixed-size vectors for nearest-neighbour search and parametric estimators.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #embed(List)} returns one row per input text, in order, each of length
 *       {@link #dimension()} and L2-normalized (unit length; an all-zero row only for a text with no
 *       content at all).</li>
 *   <li>The same text always gives the same vector for the same {@link #id()}; the id names the
 *       model and every choice that changes vectors (e.g. how long prompts are handled), so it can
 *       key a persistent cache and be recorded in a router's provenance.</li>
 *   <li>Implementations are thread-safe.</li>
 * </ul>
 */
public interface Embedder extends AutoCloseable {

  /** Stable identifier of the vectors this embedder produces, e.g. {@code minilm-l6-v2/head-tail-256}. */
  String id();

  /** Length of every vector. */
  int dimension();

  /** Embeds a batch of texts; rows are unit length. */
  float[][] embed(List<String> texts);

  /** Embeds one text. */
  default float[] embed(String text) {
    return embed(List.of(text))[0];
  }

  /** Releases native resources; the default does nothing. */
  @Override
  default void close() {}
}
