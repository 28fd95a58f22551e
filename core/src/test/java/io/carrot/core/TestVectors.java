package io.carrot.core;

import java.util.Random;

/** Seeded random unit vectors for property tests. */
public final class TestVectors {
  private TestVectors() {}

  public static float[][] randomUnit(Random r, int n, int d) {
    float[][] x = new float[n][d];
    for (float[] row : x) {
      double norm = 0;
      for (int i = 0; i < d; i++) {
        row[i] = (float) r.nextGaussian();
        norm += row[i] * row[i];
      }
      for (int i = 0; i < d; i++) {
        row[i] /= (float) Math.sqrt(norm);
      }
    }
    return x;
  }
}
