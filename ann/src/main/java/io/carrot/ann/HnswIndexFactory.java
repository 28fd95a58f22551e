package io.carrot.ann;

import io.carrot.core.index.VectorIndex;
import io.carrot.core.index.VectorIndexFactory;
import java.util.function.IntConsumer;

/**
 * The {@code hnsw} index, parameters from {@link HnswParameters#fromSystemProperties()}; built
 * with {@code carrot.hnsw.buildThreads} workers (default 1: reproducible graphs).
 */
public final class HnswIndexFactory implements VectorIndexFactory {
  @Override
  public String name() {
    return HnswIndex.KIND;
  }

  @Override
  public VectorIndex build(float[][] rows, IntConsumer progress) {
    return HnswIndex.build(rows, HnswParameters.fromSystemProperties(), HnswParameters.buildThreads(), progress);
  }

  @Override
  public byte[] encode(VectorIndex index) {
    return index instanceof HnswIndex h ? h.encode() : null;
  }

  @Override
  public VectorIndex decode(float[][] rows, byte[] bytes) {
    return HnswIndex.decode(rows, bytes);
  }
}
