package io.carrot.bench;

import io.carrot.core.linalg.VectorMath;
import java.util.Random;

/** Seeded synthetic embedding stores: unit vectors around random cluster centres (like real prompts). */
public final class Stores {
  private Stores() {}

  public static float[][] clustered(long seed, int n, int d) {
    Random cr = new Random(1000 + d);
    int clusters = 1024;
    float[][] centres = new float[clusters][d];
    for (float[] c : centres) {
      for (int i = 0; i < d; i++) {
        c[i] = (float) cr.nextGaussian();
      }
      VectorMath.normalizeInPlace(c);
    }
    Random r = new Random(seed);
    float[][] x = new float[n][d];
    for (float[] row : x) {
      float[] c = centres[r.nextInt(clusters)];
      for (int i = 0; i < d; i++) {
        row[i] = c[i] + (float) (0.7 * r.nextGaussian() / Math.sqrt(d));
      }
      VectorMath.normalizeInPlace(row);
    }
    return x;
  }
}
