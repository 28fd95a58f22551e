package io.carrot.core.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.core.TestVectors;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.predict.knn.KnnPredictor;
import io.carrot.core.predict.knn.KnnTrainer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

class VectorIndexesTest {
  /** Registered in the test resources' META-INF/services: an "approximate" index that is exact. */
  public static final class FakeFactory implements VectorIndexFactory {
    @Override
    public String name() {
      return "fake";
    }

    @Override
    public VectorIndex build(float[][] rows, IntConsumer progress) {
      ExactKnnIndex exact = new ExactKnnIndex(rows);
      progress.accept(rows.length);
      return new VectorIndex() {
        @Override
        public int size() {
          return exact.size();
        }

        @Override
        public int dimension() {
          return exact.dimension();
        }

        @Override
        public float[] row(int j) {
          return exact.row(j);
        }

        @Override
        public int[] topK(float[] q, int k, boolean[] excluded) {
          return exact.topK(q, k, excluded);
        }

        @Override
        public String kind() {
          return "fake";
        }

        @Override
        public Map<String, Object> parameters() {
          return Map.of("fake_param", 7);
        }
      };
    }
  }

  @Test
  void autoSwitchesToTheFactoryAtTheThreshold() {
    float[][] rows = TestVectors.randomUnit(new Random(1), 20, 4);
    assertThat(VectorIndexes.build(rows, "auto", 21, n -> {}).kind()).isEqualTo("exact");
    assertThat(VectorIndexes.build(rows, "auto", 20, n -> {}).kind()).isEqualTo("fake");
    assertThat(VectorIndexes.build(rows, "exact", 0, n -> {}).kind()).isEqualTo("exact");
    assertThat(VectorIndexes.build(rows, "FAKE", 1000, n -> {}).kind()).isEqualTo("fake");
    assertThat(VectorIndexes.available()).containsExactly("fake");
  }

  @Test
  void unknownModeNamesWhatIsAvailable() {
    float[][] rows = TestVectors.randomUnit(new Random(1), 5, 4);
    assertThatThrownBy(() -> VectorIndexes.build(rows, "hnsw", 0, n -> {}))
        .hasMessage("knn index 'hnsw' is not available; expected 'exact', 'auto' or one of [fake]");
  }

  @Test
  void predictorRecordsTheSearchMethodAndSwapsIndexWithoutChangingPredictions() {
    Random r = new Random(3);
    float[][] e = TestVectors.randomUnit(r, 50, 6);
    double[][] q = new double[50][2];
    double[][] t = new double[50][2];
    for (int i = 0; i < 50; i++) {
      q[i] = new double[] {r.nextInt(2), r.nextInt(2)};
      t[i] = new double[] {r.nextInt(100), r.nextInt(100)};
    }
    KnnPredictor exact = KnnTrainer.fixed(5).fit(new TrainingSet(List.of("a", "b"), e, q, t), x -> {});
    assertThat(exact.hyperParameters()).containsEntry("search", "exact").doesNotContainKey("fake_param");
    KnnPredictor fake = exact.withIndex(new FakeFactory().build(e, x -> {}));
    assertThat(fake.hyperParameters()).containsEntry("search", "fake").containsEntry("fake_param", 7).containsEntry("k", 5);
    for (float[] query : TestVectors.randomUnit(r, 10, 6)) {
      Prediction a = exact.predict(query);
      Prediction b = fake.predict(query);
      assertThat(b.quality()).containsExactly(a.quality());
      assertThat(b.outputTokens()).containsExactly(a.outputTokens());
    }
    assertThatThrownBy(() -> exact.withIndex(new ExactKnnIndex(TestVectors.randomUnit(r, 49, 6))))
        .hasMessageContaining("49 x 6");
  }
}
