package io.carrot.server.bench;

import io.carrot.core.CarrotException;
import io.carrot.core.embed.Embedder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A deterministic stand-in embedder: a unit vector drawn from a generator seeded with the text's
 * hash. Costs microseconds, so benchmarks can measure the proxy without the embedding model and
 * tests can build routers without loading one. Carries no meaning: similar texts are not close.
 */
public final class HashEmbedder implements Embedder {
  private final int dimension;

  public HashEmbedder(int dimension) {
    if (dimension < 1) {
      throw new CarrotException("the hash embedder's dimension must be >= 1, got " + dimension);
    }
    this.dimension = dimension;
  }

  @Override
  public String id() {
    return "hash-" + dimension;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public float[][] embed(List<String> texts) {
    float[][] out = new float[texts.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = vector(texts.get(i));
    }
    return out;
  }

  private float[] vector(String text) {
    SplittableRandom r = new SplittableRandom(Arrays.hashCode(text.getBytes(StandardCharsets.UTF_8)) * 0x9E3779B97F4A7C15L);
    float[] v = new float[dimension];
    double norm = 0;
    for (int i = 0; i < dimension; i++) {
      double g = r.nextDouble() * 2 - 1;
      v[i] = (float) g;
      norm += g * g;
    }
    float inv = (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < dimension; i++) {
      v[i] *= inv;
    }
    return v;
  }
}
