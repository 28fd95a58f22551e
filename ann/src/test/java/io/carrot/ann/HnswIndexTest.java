package io.carrot.ann;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.core.index.ExactKnnIndex;
import io.carrot.core.index.VectorIndex;
import io.carrot.core.index.VectorIndexes;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.predict.knn.KnnPredictor;
import io.carrot.core.predict.knn.KnnTrainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Differential tests: HNSW against exact search on seeded data. */
class HnswIndexTest {
  static final int N = 10_000;
  static final int D = 32;
  static float[][] random;
  static float[][] clustered;
  static HnswIndex randomIndex;
  static HnswIndex clusteredIndex;

  @BeforeAll
  static void build() {
    random = Vectors.randomUnit(new Random(42), N, D);
    clustered = Vectors.clustered(new Random(43), N, D, 40, 0.35);
    randomIndex = HnswIndex.build(random, HnswParameters.DEFAULT, x -> {});
    clusteredIndex = HnswIndex.build(clustered, HnswParameters.DEFAULT, x -> {});
  }

  static double recall(VectorIndex approx, ExactKnnIndex exact, float[][] queries, int k, boolean[] excluded) {
    long hit = 0;
    long total = 0;
    for (float[] q : queries) {
      int[] want = exact.topK(q, k, excluded);
      int[] got = approx.topK(q, k, excluded);
      assertThat(got).hasSize(want.length).doesNotHaveDuplicates();
      long common = Arrays.stream(got).filter(g -> Arrays.stream(want).anyMatch(w -> w == g)).count();
      hit += common;
      total += want.length;
    }
    return (double) hit / total;
  }

  @Test
  void recallAt10IsAtLeast95PercentOnRandomAndClusteredData() {
    float[][] qr = Vectors.randomUnit(new Random(7), 300, D);
    float[][] qc = Vectors.clustered(new Random(8), 300, D, 40, 0.35);
    double rr = recall(randomIndex, new ExactKnnIndex(random), qr, 10, null);
    double rc = recall(clusteredIndex, new ExactKnnIndex(clustered), qc, 10, null);
    assertThat(rr).isGreaterThanOrEqualTo(0.95);
    assertThat(rc).isGreaterThanOrEqualTo(0.95);
    // a larger k (the CV grid reaches 512) is searched with ef = k
    assertThat(recall(clusteredIndex, new ExactKnnIndex(clustered), Arrays.copyOf(qc, 50), 256, null)).isGreaterThanOrEqualTo(0.95);
  }

  @Test
  void exclusionsAreNeverReturnedAndRecallHolds() {
    boolean[] excl = new boolean[N];
    Random r = new Random(9);
    for (int j = 0; j < N; j++) {
      excl[j] = r.nextInt(5) == 0; // one CV fold
    }
    float[][] q = Vectors.clustered(new Random(10), 200, D, 40, 0.35);
    for (float[] x : q) {
      for (int j : clusteredIndex.topK(x, 16, excl)) {
        assertThat(excl[j]).isFalse();
      }
    }
    assertThat(recall(clusteredIndex, new ExactKnnIndex(clustered), q, 16, excl)).isGreaterThanOrEqualTo(0.95);
  }

  @Test
  void whatIsFoundIsRankedExactlyAsExactSearchRanksIt() {
    ExactKnnIndex exact = new ExactKnnIndex(clustered);
    float[] s = new float[N];
    for (float[] q : Vectors.clustered(new Random(11), 100, D, 40, 0.35)) {
      exact.scores(q, s);
      int[] got = clusteredIndex.topK(q, 10, null);
      for (int i = 1; i < got.length; i++) {
        float a = s[got[i - 1]];
        float b = s[got[i]];
        assertThat(a > b || (a == b && got[i - 1] < got[i])).isTrue();
      }
    }
    // a stored vector is its own nearest neighbour
    for (int j = 0; j < N; j += 97) {
      assertThat(clusteredIndex.topK(clustered[j], 1, null)).containsExactly(lowestIndexOfEqualRow(j));
    }
  }

  private static int lowestIndexOfEqualRow(int j) {
    for (int i = 0; i < j; i++) {
      if (Arrays.equals(clustered[i], clustered[j])) {
        return i;
      }
    }
    return j;
  }

  @Test
  void exactTiesGoToTheLowerIndex() {
    float[][] rows = new float[200][];
    Random r = new Random(5);
    float[][] base = Vectors.randomUnit(r, 100, 8);
    for (int i = 0; i < 100; i++) {
      rows[i] = base[i];
      rows[100 + i] = base[i].clone(); // duplicate of row i, 100 rows later
    }
    HnswIndex idx = HnswIndex.build(rows, HnswParameters.DEFAULT, x -> {});
    for (int i = 0; i < 100; i += 7) {
      assertThat(idx.topK(base[i], 2, null)).containsExactly(i, 100 + i);
    }
  }

  @Test
  void concurrentSearchesGiveTheSequentialAnswersAndBuildsAreReproducible() {
    float[][] q = Vectors.clustered(new Random(12), 400, D, 40, 0.35);
    int[][] seq = new int[q.length][];
    for (int i = 0; i < q.length; i++) {
      seq[i] = clusteredIndex.topK(q[i], 10, null);
    }
    int[][] par = new int[q.length][];
    IntStream.range(0, q.length).parallel().forEach(i -> par[i] = clusteredIndex.topK(q[i], 10, null));
    assertThat(par).isDeepEqualTo(seq);
    float[][] small = Arrays.copyOf(clustered, 2000);
    HnswIndex a = HnswIndex.build(small, HnswParameters.DEFAULT, x -> {});
    HnswIndex b = HnswIndex.build(small, HnswParameters.DEFAULT, x -> {});
    for (float[] x : Arrays.copyOf(q, 50)) {
      assertThat(b.topK(x, 10, null)).containsExactly(a.topK(x, 10, null));
    }
  }

  @Test
  void knnPredictionsWithHnswMatchExactOnClusteredData() {
    Random r = new Random(13);
    int m = 3;
    double[][] quality = new double[N][m];
    double[][] tokens = new double[N][m];
    for (int i = 0; i < N; i++) {
      for (int j = 0; j < m; j++) {
        quality[i][j] = r.nextInt(2);
        tokens[i][j] = r.nextInt(500);
      }
    }
    KnnPredictor exact = KnnTrainer.fixed(32).fit(new TrainingSet(List.of("a", "b", "c"), clustered, quality, tokens), x -> {});
    KnnPredictor approx = exact.withIndex(clusteredIndex);
    assertThat(approx.hyperParameters()).containsEntry("search", "hnsw").containsEntry("hnsw_max_conn", 16);
    List<Double> errors = new ArrayList<>();
    for (float[] q : Vectors.clustered(new Random(14), 200, D, 40, 0.35)) {
      Prediction a = exact.predict(q);
      Prediction b = approx.predict(q);
      for (int j = 0; j < m; j++) {
        errors.add(Math.abs(a.quality()[j] - b.quality()[j]));
      }
    }
    // recall >= 0.95 of 32 neighbours moves a mean of 0/1 targets by at most ~2/32 on average
    assertThat(errors.stream().mapToDouble(Double::doubleValue).average().orElseThrow()).isLessThan(0.02);
  }

  @Test
  void encodedGraphsDecodeToTheSameSearchAndConcurrentBuildsKeepRecall() {
    byte[] bytes = clusteredIndex.encode();
    HnswIndex back = HnswIndex.decode(clustered, bytes);
    assertThat(back.hnswParameters()).isEqualTo(clusteredIndex.hnswParameters());
    float[][] q = Vectors.clustered(new Random(15), 100, D, 40, 0.35);
    for (float[] x : q) {
      assertThat(back.topK(x, 10, null)).containsExactly(clusteredIndex.topK(x, 10, null));
    }
    assertThatThrownBy(() -> HnswIndex.decode(Arrays.copyOf(clustered, 10), bytes)).hasMessageContaining("for a store of 10 rows");
    assertThatThrownBy(() -> HnswIndex.decode(clustered, Arrays.copyOf(bytes, bytes.length / 2))).hasMessageContaining("truncated or corrupt");
    HnswIndex concurrent = HnswIndex.build(clustered, HnswParameters.DEFAULT, 2, x -> {});
    assertThat(recall(concurrent, new ExactKnnIndex(clustered), q, 10, null)).isGreaterThanOrEqualTo(0.95);
  }

  @Test
  void foundThroughTheServiceLoader() {
    assertThat(VectorIndexes.available()).contains("hnsw");
    float[][] rows = Vectors.randomUnit(new Random(1), 300, 8);
    assertThat(VectorIndexes.build(rows, "auto", 300, x -> {}).kind()).isEqualTo("hnsw");
    assertThat(VectorIndexes.build(rows, "auto", 301, x -> {}).kind()).isEqualTo("exact");
    assertThat(VectorIndexes.build(rows, "hnsw", 1_000_000, x -> {}).kind()).isEqualTo("hnsw");
  }

  @Test
  void badInputIsNamed() {
    assertThatThrownBy(() -> HnswIndex.build(new float[0][], HnswParameters.DEFAULT, x -> {})).hasMessageContaining("empty store");
    assertThatThrownBy(() -> new HnswParameters(1, 100, 100, 42)).hasMessage("hnsw maxConn must be in [2, 512], got 1");
    assertThatThrownBy(() -> randomIndex.topK(new float[3], 1, null)).hasMessageContaining("dimension 3");
  }
}
