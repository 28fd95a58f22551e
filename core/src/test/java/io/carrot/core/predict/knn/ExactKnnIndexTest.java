package io.carrot.core.predict.knn;

import static org.assertj.core.api.Assertions.assertThat;

import io.carrot.core.index.ExactKnnIndex;
import io.carrot.core.index.VectorIndex;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.TrainingSet;
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
  void batchedSearchGivesExactlyTheOneAtATimeAnswers() {
    Random r = new Random(9);
    for (int trial = 0; trial < 12; trial++) {
      int n = 1 + r.nextInt(3000); // crosses the block tiles (512 rows) and the single-query tile (4096) edges
      int d = 1 + r.nextInt(48);
      float[][] x = io.carrot.core.TestVectors.randomUnit(r, n, d);
      if (trial % 3 == 0) { // exact duplicates: ties must go to the lower index in both paths
        for (int j = 1; j < n; j += 2) {
          x[j] = x[j - 1].clone();
        }
      }
      ExactKnnIndex index = new ExactKnnIndex(x);
      int nq = 1 + r.nextInt(3 * ExactKnnIndex.QUERY_BLOCK + 5); // a partial last block
      float[][] qs = io.carrot.core.TestVectors.randomUnit(r, nq, d);
      boolean[] excl = trial % 2 == 0 ? null : new boolean[n];
      if (excl != null) {
        for (int j = 0; j < n; j++) {
          excl[j] = r.nextInt(5) == 0;
        }
      }
      int k = 1 + r.nextInt(80);
      int[][] batched = index.topK(qs, k, excl);
      assertThat(batched).hasNumberOfRows(nq);
      for (int q = 0; q < nq; q++) {
        assertThat(batched[q]).as("trial %d query %d", trial, q).containsExactly(index.topK(qs[q], k, excl));
      }
    }
  }

  @Test
  void batchedPredictionsEqualOneAtATime() {
    Random r = new Random(11);
    int n = 1500;
    float[][] x = io.carrot.core.TestVectors.randomUnit(r, n, 16);
    double[][] q = new double[n][3];
    double[][] t = new double[n][3];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 3; j++) {
        q[i][j] = r.nextInt(2);
        t[i][j] = r.nextInt(500);
        if (j == 2 && i % 3 == 0) { // sparse: the third model lacks a third of the entries
          q[i][j] = Double.NaN;
          t[i][j] = Double.NaN;
        }
      }
    }
    TrainingSet ts = new TrainingSet(java.util.List.of("a", "b", "c"), x, q, t);
    KnnPredictor knn = KnnTrainer.fixed(24).fit(ts, p -> {});
    float[][] queries = io.carrot.core.TestVectors.randomUnit(r, 2 * KnnPredictor.BATCH + 7, 16);
    Prediction[] all = knn.predictAll(queries);
    for (int i = 0; i < queries.length; i += 97) {
      Prediction one = knn.predict(queries[i]);
      assertThat(all[i].quality()).containsExactly(one.quality());
      assertThat(all[i].outputTokens()).containsExactly(one.outputTokens());
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
