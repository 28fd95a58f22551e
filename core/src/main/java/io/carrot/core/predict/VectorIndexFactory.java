package io.carrot.core.predict;

import java.util.function.IntConsumer;

/**
 * Service-provider interface for approximate indices, found with {@link java.util.ServiceLoader}
 * (a {@code META-INF/services/io.carrot.core.predict.VectorIndexFactory} entry), so that core keeps
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
}
