package io.carrot.embed;

/** Vector helpers shared by the embedders. */
final class Vectors {
  private Vectors() {}

  /** {@code v / |v|} as floats, computed in double; an all-zero vector stays zero. */
  static float[] normalize(double[] v) {
    double norm = 0;
    for (double x : v) {
      norm += x * x;
    }
    norm = Math.sqrt(norm);
    float[] out = new float[v.length];
    if (norm < 1e-12) {
      return out;
    }
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / norm);
    }
    return out;
  }
}
