package io.carrot.core;

import java.util.Random;

/** Seeded shuffles shared by the cross-validation and cross-fitting code, so that a seed means one order everywhere. */
public final class Permutations {
  private Permutations() {}

  /**
   * {@code 0 .. n-1} shuffled by Fisher-Yates (from the last position down) with {@code new
   * Random(seed)}: the same order for the same {@code n} and seed, on every JDK.
   */
  public static int[] seeded(int n, long seed) {
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    Random rnd = new Random(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    return perm;
  }
}
