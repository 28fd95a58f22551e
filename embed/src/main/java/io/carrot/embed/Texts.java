package io.carrot.embed;

import io.carrot.core.CarrotException;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/** The check every embedder makes on its input, and the loop of embedders that take one text at a time. */
final class Texts {
  private Texts() {}

  /** {@code texts.get(i)}, or a {@link CarrotException} naming the index when it is null. */
  static String at(List<String> texts, int i) {
    String t = texts.get(i);
    if (t == null) {
      throw new CarrotException("texts[" + i + "]: null; expected a string (may be empty)");
    }
    return t;
  }

  /** One row per text, each from {@code vector}; nulls are refused as in {@link #at}. */
  static float[][] each(List<String> texts, Function<String, float[]> vector) {
    Objects.requireNonNull(texts, "texts");
    float[][] out = new float[texts.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = vector.apply(at(texts, i));
    }
    return out;
  }
}
