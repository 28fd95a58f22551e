package io.carrot.core.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.carrot.core.TestVectors;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Differential: the int8-prefiltered single-query search against the full float scan. */
class Int8PrefilterTest {
  @Test
  void prefilteredSearchGivesExactlyTheFullScansAnswer() {
    Random r = new Random(17);
    for (int trial = 0; trial < 40; trial++) {
      int n = 1 + r.nextInt(4000);
      int d = 1 + r.nextInt(70); // dimensions not a multiple of four take the scan's remainder loop
      float[][] x = store(r, trial, n, d);
      ExactKnnIndex scan = new ExactKnnIndex(x, false);
      ExactKnnIndex pre = new ExactKnnIndex(x, true);
      boolean[] excl = trial % 2 == 0 ? null : new boolean[n];
      if (excl != null) {
        int every = 1 + r.nextInt(4);
        for (int j = 0; j < n; j += every) {
          excl[j] = r.nextBoolean();
        }
      }
      for (int q = 0; q < 8; q++) {
        // queries from the store itself too: a score equal to the row's own is the sharpest tie
        float[] query = q % 2 == 0 ? TestVectors.randomUnit(r, 1, d)[0] : x[r.nextInt(n)].clone();
        int k = r.nextInt(4) == 0 ? n + 3 : 1 + r.nextInt(64);
        assertThat(pre.topK(query, k, excl)).as("trial %d query %d k %d", trial, q, k).containsExactly(scan.topK(query, k, excl));
      }
    }
  }

  /** Random unit rows, or rows with duplicates, zeros, huge and tiny norms and one dominant coordinate. */
  private static float[][] store(Random r, int trial, int n, int d) {
    float[][] x = TestVectors.randomUnit(r, n, d);
    switch (trial % 4) {
      case 1 -> { // exact duplicates: ties must go to the lower index
        for (int j = 1; j < n; j += 2) {
          x[j] = x[j - 1].clone();
        }
      }
      case 2 -> { // not unit length, some all zero
        for (int j = 0; j < n; j++) {
          float f = j % 7 == 0 ? 0f : (float) Math.exp(4 * r.nextGaussian());
          for (int i = 0; i < d; i++) {
            x[j][i] *= f;
          }
        }
      }
      case 3 -> { // one coordinate dominates: most of each row rounds to zero in int8
        for (float[] row : x) {
          row[0] = 50f * Math.signum(row[0] + 0.01f);
        }
      }
      default -> {}
    }
    return x;
  }

  @Test
  void onRandomUnitVectorsFewCandidatesRemain() {
    Random r = new Random(3);
    int n = 20_000;
    float[][] x = TestVectors.randomUnit(r, n, 128);
    Int8Prefilter pf = new Int8Prefilter(x, 128);
    ExactKnnIndex scan = new ExactKnnIndex(x, false);
    for (int q = 0; q < 20; q++) {
      float[] query = TestVectors.randomUnit(r, 1, 128)[0];
      int[] cand = pf.candidates(query, 32, null);
      // the reason for the prefilter: a small fraction of the store is re-scored, and it holds the top 32
      assertThat(cand.length).isBetween(32, n / 20);
      assertThat(cand).contains(scan.topK(query, 32, null));
      assertThat(cand).isSorted();
    }
  }

  @Test
  void identicalRowsAreAllCandidatesAndTiesGoToTheLowerIndex() {
    float[][] x = new float[300][12];
    for (float[] row : x) {
      java.util.Arrays.fill(row, (float) (1 / Math.sqrt(12)));
    }
    Int8Prefilter pf = new Int8Prefilter(x, 12);
    assertThat(pf.candidates(x[0], 5, null)).hasSize(300);
    assertThat(new ExactKnnIndex(x, true).topK(x[7], 5, null)).containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  void aQueryWithNaNIsAnsweredAsTheScanAnswersIt() {
    float[][] x = TestVectors.randomUnit(new Random(6), 300, 8);
    float[] q = x[3].clone();
    q[2] = Float.NaN;
    assertThat(new ExactKnnIndex(x, true).topK(q, 5, null)).containsExactly(new ExactKnnIndex(x, false).topK(q, 5, null));
  }

  @Test
  void fewerEligibleRowsThanKReturnsThemAll() {
    float[][] x = TestVectors.randomUnit(new Random(5), 10, 8);
    boolean[] excl = new boolean[10];
    java.util.Arrays.fill(excl, 0, 7, true);
    assertThat(new Int8Prefilter(x, 8).candidates(x[0], 5, excl)).containsExactly(7, 8, 9);
    assertThat(new ExactKnnIndex(x, true).topK(x[0], 0, null)).isEmpty();
  }

  @Test
  void largeStoresUseThePrefilterByDefaultAndAnswerAsTheScan() {
    Random r = new Random(8);
    int d = 64;
    int n = (int) (ExactKnnIndex.PREFILTER_VALUES / d) + 1;
    float[][] x = TestVectors.randomUnit(r, n, d);
    ExactKnnIndex byDefault = new ExactKnnIndex(x);
    ExactKnnIndex scan = new ExactKnnIndex(x, false);
    assertThat(byDefault.prefiltered()).isTrue();
    assertThat(new ExactKnnIndex(java.util.Arrays.copyOf(x, n - 2)).prefiltered()).isFalse();
    for (int q = 0; q < 5; q++) {
      float[] query = TestVectors.randomUnit(r, 1, d)[0];
      assertThat(byDefault.topK(query, 32, null)).containsExactly(scan.topK(query, 32, null));
    }
    assertThat(byDefault.row(5)).containsExactly(x[5]);
  }

  /** A scan split over threads answers exactly as one thread and as the full scan, on a store large enough to split. */
  @Test
  void aSplitScanGivesTheSameAnswers() {
    Random r = new Random(9);
    int d = 64;
    int n = (int) (ExactKnnIndex.PREFILTER_VALUES / d) + 5 * Int8Prefilter.TILE_MIN_ROWS + 7;
    float[][] x = TestVectors.randomUnit(r, n, d);
    ExactKnnIndex one = new ExactKnnIndex(x);
    ExactKnnIndex scan = new ExactKnnIndex(x, false);
    assertThat(one.scanThreads()).isEqualTo(1);
    boolean[] excluded = new boolean[n];
    for (int j = 0; j < n; j += 3) {
      excluded[j] = true;
    }
    for (int threads : new int[] {2, 3, 8}) {
      ExactKnnIndex split = one.withScanThreads(threads);
      assertThat(split.scanThreads()).isEqualTo(threads);
      assertThat(split.size()).isEqualTo(n);
      for (int q = 0; q < 5; q++) {
        float[] query = TestVectors.randomUnit(r, 1, d)[0];
        assertThat(split.topK(query, 32, null)).containsExactly(one.topK(query, 32, null)).containsExactly(scan.topK(query, 32, null));
        assertThat(split.topK(query, 10, excluded)).containsExactly(scan.topK(query, 10, excluded));
      }
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> one.withScanThreads(0)).hasMessageContaining("scan threads must be >= 1");
  }
}
