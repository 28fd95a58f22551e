package io.carrot.core.predict;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ExactKnnIndexTest {
  @Test
  void topKEqualsBruteForceSortOnRandomData() {
    Random r = new Random(42);
    for (int trial = 0; trial < 20; trial++) {
      int n = 1 + r.nextInt(5000);
      int d = 1 + r.nextInt(40);
      float[][] x = io.carrot.core.TestVectors.randomUnit(r, n, d);
      ExactKnnIndex index = new ExactKnnIndex(x);
      float[] q = io.carrot.core.TestVectors.randomUnit(r, 1, d)[0];
      boolean[] excl = new boolean[n];
      for (int j = 0; j < n; j++) {
        excl[j] = r.nextInt(7) == 0;
      }
      int k = 1 + r.nextInt(64);
      double[] s = new double[n];
      for (int j = 0; j < n; j++) {
        float acc = 0;
        for (int i = 0; i < d; i++) {
          acc += q[i] * x[j][i];
        }
        s[j] = acc;
      }
      int[] expected =
          IntStream.range(0, n)
              .filter(j -> !excl[j])
              .boxed()
              .sorted(Comparator.<Integer>comparingDouble(j -> -s[j]).thenComparingInt(j -> j))
              .limit(k)
              .mapToInt(Integer::intValue)
              .toArray();
      int[] got = index.topK(q, k, excl);
      // float summation order differs, so compare the scores, not necessarily identical indices
      assertThat(got).hasSize(expected.length);
      for (int i = 0; i < got.length; i++) {
        assertThat(s[got[i]]).isCloseTo(s[expected[i]], org.assertj.core.data.Offset.offset(1e-5));
      }
    }
  }

  @Test
  void similaritiesEqualTheRowByRowDefault() {
    Random r = new Random(4);
    float[][] x = io.carrot.core.TestVectors.randomUnit(r, 700, 24);
    ExactKnnIndex index = new ExactKnnIndex(x);
    VectorIndex byRow = new VectorIndex() { // everything but similarities delegates: the interface default
      public int size() {
        return index.size();
      }

      public int dimension() {
        return index.dimension();
      }

      public float[] row(int j) {
        return index.row(j);
      }

      public int[] topK(float[] q, int k, boolean[] excluded) {
        return index.topK(q, k, excluded);
      }

      public String kind() {
        return "by-row";
      }
    };
    for (int t = 0; t < 10; t++) {
      float[] q = io.carrot.core.TestVectors.randomUnit(r, 1, 24)[0];
      int[] rows = index.topK(q, 1 + r.nextInt(300), null);
      float[] s = index.similarities(q, rows);
      assertThat(s).containsExactly(byRow.similarities(q, rows));
      for (int c = 1; c < s.length; c++) {
        assertThat(s[c]).isLessThanOrEqualTo(s[c - 1] + 1e-6f); // best first
      }
    }
  }

  @Test
  void tiesGoToTheLowerIndex() {
    float[] scores = {0.5f, 0.9f, 0.5f, 0.9f, 0.1f};
    assertThat(ExactKnnIndex.select(scores, 3, null)).containsExactly(1, 3, 0);
    assertThat(ExactKnnIndex.select(scores, 10, new boolean[] {false, true, false, false, false}))
        .containsExactly(3, 0, 2, 4);
  }

  @Test
  void rowRoundTrips() {
    float[][] x = {{1, 0, 0}, {0, 0.6f, 0.8f}};
    ExactKnnIndex index = new ExactKnnIndex(x);
    assertThat(index.row(1)).containsExactly(0, 0.6f, 0.8f);
    float[] out = new float[2];
    index.scores(new float[] {0, 1, 0}, out);
    assertThat(out).containsExactly(0f, 0.6f);
    assertThat(Arrays.stream(index.topK(new float[] {0, 0, 1}, 1, null)).boxed()).containsExactly(1);
  }
}
