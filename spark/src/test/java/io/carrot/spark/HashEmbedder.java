package io.carrot.spark;

import io.carrot.core.embed.Embedder;
import java.util.List;
import java.util.function.Supplier;

/** A deterministic stand-in for a sentence embedder: hashed character trigrams, unit length. */
public final class HashEmbedder implements Embedder {
  public static final String NAME = ExecutorCache.CLASS_PREFIX + HashEmbedder.Factory.class.getName();
  static final int DIM = 32;

  /** What executors instantiate for {@link #NAME}. */
  public static final class Factory implements Supplier<Embedder> {
    @Override
    public Embedder get() {
      return new HashEmbedder();
    }
  }

  @Override
  public String id() {
    return NAME;
  }

  @Override
  public int dimension() {
    return DIM;
  }

  @Override
  public float[][] embed(List<String> texts) {
    float[][] out = new float[texts.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = vector(texts.get(i));
    }
    return out;
  }

  static float[] vector(String text) {
    float[] v = new float[DIM];
    String t = text.toLowerCase(java.util.Locale.ROOT);
    for (int i = 0; i + 3 <= t.length(); i++) {
      int h = t.substring(i, i + 3).hashCode();
      v[Math.floorMod(h, DIM)] += (h & 1) == 0 ? 1 : -1;
    }
    double norm = 0;
    for (float x : v) {
      norm += x * x;
    }
    if (norm == 0) {
      v[0] = 1;
      return v;
    }
    for (int i = 0; i < DIM; i++) {
      v[i] /= (float) Math.sqrt(norm);
    }
    return v;
  }
}
