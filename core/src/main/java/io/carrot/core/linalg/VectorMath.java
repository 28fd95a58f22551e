package io.carrot.core.linalg;

/**
 * The one place for vector normalisation and dot products.
 *
 * <p>Accumulation rule: a <b>dot product</b> sums in one float accumulator, dimensions in order:
 * it runs in the nearest-neighbour hot loop, where float arithmetic lets HotSpot use SIMD, and the
 * exact scan ({@link io.carrot.core.index.ExactKnnIndex}'s block scorer) and every other index
 * must add in that same order so that they rank neighbours identically. A <b>norm</b> sums the
 * squares in double (each product taken in double): it runs once per vector, so its cost does not
 * matter, and a float sum over hundreds of dimensions would lose digits that then scale every
 * component. The scale {@code 1 / |v|} is rounded to float once and multiplied in, so a
 * normalised vector is the same whichever caller made it. An all-zero vector stays zero.
 */
public final class VectorMath {
  private VectorMath() {}

  /** {@code a . b} in one float accumulator, dimensions in order. */
  public static float dot(float[] a, float[] b) {
    float acc = 0;
    for (int i = 0; i < a.length; i++) {
      acc += a[i] * b[i];
    }
    return acc;
  }

  /** {@code |v|^2}, products and sum in double. */
  public static double squaredNorm(float[] v) {
    return squaredNorm(v, 0, v.length);
  }

  private static double squaredNorm(float[] v, int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
      s += (double) v[i] * v[i];
    }
    return s;
  }

  /** Scales {@code v} to unit length in place; an all-zero vector stays zero. */
  public static void normalizeInPlace(float[] v) {
    scale(v, 0, v.length);
  }

  /** A unit-length copy of {@code v}; an all-zero vector gives zeros. */
  public static float[] normalized(float[] v) {
    float[] out = v.clone();
    normalizeInPlace(out);
    return out;
  }

  /**
   * {@code v / |v|} as floats, for vectors pooled in double (embedders): the division is done in
   * double and rounded once. A vector of norm below 1e-12 gives zeros.
   */
  public static float[] normalized(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x * x;
    }
    double norm = Math.sqrt(s);
    float[] out = new float[v.length];
    if (norm < 1e-12) {
      return out;
    }
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / norm);
    }
    return out;
  }

  /** Scales each row of a row-major matrix with rows of {@code d} floats to unit length in place. */
  public static void normalizeRows(float[] flat, int d) {
    for (int from = 0; from + d <= flat.length; from += d) {
      scale(flat, from, from + d);
    }
  }

  private static void scale(float[] v, int from, int to) {
    double s = squaredNorm(v, from, to);
    if (s > 0) {
      float inv = (float) (1 / Math.sqrt(s));
      for (int i = from; i < to; i++) {
        v[i] *= inv;
      }
    }
  }
}
