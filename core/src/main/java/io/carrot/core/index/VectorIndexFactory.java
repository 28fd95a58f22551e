package io.carrot.core.index;

import java.util.function.IntConsumer;

/**
 * Service-provider interface for approximate indices, found with {@link java.util.ServiceLoader}
 * (a {@code META-INF/services/io.carrot.core.index.VectorIndexFactory} entry), so that core keeps
 * no dependency on a search library. The {@code carrot-ann} module provides {@code hnsw}.
 */
public interface VectorIndexFactory {

  /** The name users select it by, e.g. {@code hnsw}. */
  String name();

  /**
   * Builds an index over {@code rows} (unit vectors of equal dimension; the array may be kept, not
   * copied, so the caller must not modify it). {@code progress} receives the number of rows added.
   */
  VectorIndex build(float[][] rows, IntConsumer progress);

  /**
   * The search structure of {@code index} (one this factory built) as bytes, without the rows,
   * so a router file can store it and skip the rebuild on load; null when it cannot be stored.
   */
  default byte[] encode(VectorIndex index) {
    return null;
  }

  /**
   * Restores an index from {@link #encode} bytes over the same {@code rows}, in the same order.
   *
   * @throws io.carrot.core.CarrotException when the bytes are not this factory's or do not fit
   *     the rows
   */
  default VectorIndex decode(float[][] rows, byte[] bytes) {
    throw new io.carrot.core.CarrotException("index '" + name() + "' cannot be restored from a router file; it is rebuilt");
  }
}
