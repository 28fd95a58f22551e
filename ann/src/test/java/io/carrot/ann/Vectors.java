package io.carrot.ann;

import java.util.Random;

/** Seeded test vectors: uniform on the sphere, or Gaussian clusters around random centres. */
final class Vectors {
  private Vectors() {}

  static float[][] randomUnit(Random r, int n, int d) {
    float[][] x = new float[n][d];
    for (float[] row : x) {
      for (int i = 0; i < d; i++) {
        row[i] = (float) r.nextGaussian();
      }
      normalize(row);
    }
    return x;
  }

  /** {@code clusters} fixed centres (seeded independently of r, so queries share them). */
  static float[][] clustered(Random r, int n, int d, int clusters, double spread) {
    float[][] centres = randomUnit(new Random(1000 + d), clusters, d);
    float[][] x = new float[n][d];
    for (float[] row : x) {
      float[] c = centres[r.nextInt(clusters)];
      for (int i = 0; i < d; i++) {
        row[i] = c[i] + (float) (spread * r.nextGaussian() / Math.sqrt(d));
      }
      normalize(row);
    }
    return x;
  }

  private static void normalize(float[] row) {
    double norm = 0;
    for (float v : row) {
      norm += v * v;
    }
    float inv = (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < row.length; i++) {
      row[i] *= inv;
    }
  }
}
