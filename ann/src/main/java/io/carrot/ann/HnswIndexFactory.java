package io.carrot.ann;

import io.carrot.core.predict.VectorIndex;
import io.carrot.core.predict.VectorIndexFactory;
import java.util.function.IntConsumer;

/** The {@code hnsw} index, parameters from {@link HnswParameters#fromSystemProperties()}. */
public final class HnswIndexFactory implements VectorIndexFactory {
  @Override
  public String name() {
    return HnswIndex.KIND;
  }

  @Override
  public VectorIndex build(float[][] rows, IntConsumer progress) {
    return HnswIndex.build(rows, HnswParameters.fromSystemProperties(), progress);
  }
}
