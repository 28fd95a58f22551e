package io.carrot.core.predict.knn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.TrainingSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KnnTrainerTest {
  /** Two well separated clusters: model "a" is right on cluster 0, "b" on cluster 1. */
  static TrainingSet clusters(int perCluster, long seed) {
    Random r = new Random(seed);
    int n = 2 * perCluster;
    float[][] e = new float[n][];
    double[][] q = new double[n][];
    double[][] t = new double[n][];
    for (int i = 0; i < n; i++) {
      int c = i % 2;
      float jitter = (float) (r.nextGaussian() * 0.05);
      float[] v = c == 0 ? new float[] {1, jitter, 0} : new float[] {0, jitter, 1};
      float norm = (float) Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
      for (int j = 0; j < 3; j++) {
        v[j] /= norm;
      }
      e[i] = v;
      q[i] = c == 0 ? new double[] {1, 0} : new double[] {0, 1};
      t[i] = c == 0 ? new double[] {100, 10} : new double[] {300, 30};
    }
    return new TrainingSet(List.of("a", "b"), e, q, t);
  }

  @Test
  void fixedKAveragesTheNearestNeighbours() {
    float[][] e = {{1, 0}, {0.8f, 0.6f}, {0, 1}};
    double[][] q = {{1, 0}, {0.5, 0.5}, {0, 1}};
    double[][] t = {{10, 20}, {30, 40}, {50, 60}};
    KnnPredictor p = KnnTrainer.fixed(2).fit(new TrainingSet(List.of("a", "b"), e, q, t), x -> {});
    Prediction pr = p.predict(new float[] {1, 0});
    // nearest: row 0 (1.0) and row 1 (0.8)
    assertThat(pr.quality()).containsExactly(0.75, 0.25);
    assertThat(pr.outputTokens()).containsExactly(20.0, 30.0);
    assertThat(p.k()).isEqualTo(2);
    assertThat(p.hyperParameters()).containsEntry("k", 2).containsEntry("k_selection", "fixed");
  }

  @Test
  void cvPicksASmallKWhenClustersAreSharp() {
    TrainingSet data = clusters(200, 1);
    KnnPredictor p = KnnTrainer.auto().fit(data, x -> {});
    // any k up to the cluster size predicts perfectly; beyond it the clusters mix
    assertThat(p.k()).isLessThanOrEqualTo(128);
    @SuppressWarnings("unchecked")
    java.util.Map<String, Double> curve = (java.util.Map<String, Double>) p.hyperParameters().get("cv_r2_by_k");
    assertThat(curve.get("2")).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(curve.get("512")).isNull(); // larger than a fold's training part (320)
    assertThat(curve.get("256")).isLessThan(0.9);
    Prediction pr = p.predict(new float[] {0, 0, 1});
    assertThat(pr.quality()).containsExactly(0.0, 1.0);
    assertThat(pr.outputTokens()).containsExactly(300.0, 30.0);
  }

  @Test
  void cvIsDeterministicForASeed() {
    TrainingSet data = clusters(50, 3);
    Object a = KnnTrainer.auto().fit(data, x -> {}).hyperParameters().get("cv_r2_by_k");
    Object b = KnnTrainer.auto().fit(data, x -> {}).hyperParameters().get("cv_r2_by_k");
    assertThat(a).isEqualTo(b);
  }

  @Test
  void tooFewPromptsForCv() {
    float[][] e = {{1, 0}, {0, 1}};
    double[][] q = {{1, 0}, {0, 1}};
    assertThatThrownBy(() -> KnnTrainer.auto().fit(new TrainingSet(List.of("a", "b"), e, q, q), x -> {}))
        .hasMessageContaining("needs at least 10 training prompts, got 2");
    assertThatThrownBy(() -> KnnTrainer.fixed(0)).hasMessageContaining("k must be");
  }

  @Test
  void sparseSearchWidthCoversKLabelledNeighboursOfTheRarestModel() {
    assertThat(KnnPredictor.searchWidth(2, new double[] {1, 1.0 / 3}, 6)).isEqualTo(6);
    assertThat(KnnPredictor.searchWidth(2, new double[] {1, 0.5}, 100)).isEqualTo(8);
    assertThat(KnnPredictor.searchWidth(3, new double[] {1, 1}, 100)).isEqualTo(3);
  }
}
