package io.carrot.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import io.carrot.core.ProgressListener;
import io.carrot.core.TestVectors;
import io.carrot.core.predict.ConstantPredictor;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.predict.knn.KnnTrainer;
import io.carrot.core.predict.network.LinearPredictor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Sparse data: NaN entries where a model was not run; estimators learn from the entries that exist. */
class SparseTrainingTest {
  static final double NAN = Double.NaN;

  /** Six unit vectors at 0, 10, ..., 50 degrees; "a" is everywhere, "b" only on rows 2 and 5. */
  static TrainingSet fan() {
    float[][] e = new float[6][];
    for (int i = 0; i < 6; i++) {
      double r = Math.toRadians(10 * i);
      e[i] = new float[] {(float) Math.cos(r), (float) Math.sin(r)};
    }
    double[][] q = {{1, NAN}, {1, NAN}, {1, 0.2}, {1, NAN}, {1, NAN}, {1, 0.8}};
    double[][] t = {{10, NAN}, {10, NAN}, {10, 100}, {10, NAN}, {10, NAN}, {10, 400}};
    return new TrainingSet(List.of("a", "b"), e, q, t);
  }

  @Test
  void knnAveragesEachModelsOwnNearestLabelledNeighbours() {
    TrainingSet ts = fan();
    float[] query = {1, 0};
    // k = 2: a averages rows 0 and 1; b's two nearest rows with an entry are 2 and 5
    Prediction p = KnnTrainer.fixed(2).fit(ts, x -> {}).predict(query);
    assertThat(p.quality()).containsExactly(new double[] {1.0, 0.5}, offset(1e-7)); // targets are stored as float32
    assertThat(p.outputTokens()).containsExactly(10.0, 250.0);
    // k = 1: b's nearest labelled row is 2
    assertThat(KnnTrainer.fixed(1).fit(ts, x -> {}).predict(query).quality()[1]).isCloseTo(0.2, offset(1e-7));
  }

  @Test
  void constantMeansAreOverObservedEntries() {
    ConstantPredictor c = ConstantPredictor.fit(fan());
    assertThat(c.quality()).containsExactly(new double[] {1.0, 0.5}, offset(1e-12));
    assertThat(c.predict(new float[] {1, 0}).outputTokens()).containsExactly(10.0, 250.0);
  }

  /** Rows of {@code s} kept where {@code keep} is true. */
  static TrainingSet rows(TrainingSet s, boolean[] keep) {
    int n = 0;
    for (boolean k : keep) {
      n += k ? 1 : 0;
    }
    float[][] e = new float[n][];
    double[][] q = new double[n][];
    double[][] t = new double[n][];
    for (int i = 0, c = 0; i < keep.length; i++) {
      if (keep[i]) {
        e[c] = s.embeddings()[i];
        q[c] = s.quality()[i];
        t[c++] = s.outputTokens()[i];
      }
    }
    return new TrainingSet(s.models(), e, q, t);
  }

  /** {@code s} with model b's entries removed on odd rows. */
  static TrainingSet holesInB(TrainingSet s) {
    double[][] q = new double[s.size()][];
    double[][] t = new double[s.size()][];
    for (int i = 0; i < s.size(); i++) {
      q[i] = s.quality()[i].clone();
      t[i] = s.outputTokens()[i].clone();
      if (i % 2 == 1) {
        q[i][1] = NAN;
        t[i][1] = NAN;
      }
    }
    return new TrainingSet(s.models(), s.embeddings(), q, t);
  }

  @Test
  void linearFitsEachModelOnItsOwnRows() {
    Random r = new Random(7);
    TrainingSet dense = EstimatorsFamilyTest.linearData(r, 400, 0.05);
    TrainingSet val = EstimatorsFamilyTest.linearData(r, 100, 0.05);
    boolean[] even = new boolean[400];
    for (int i = 0; i < 400; i += 2) {
      even[i] = true;
    }
    LinearPredictor sparse = LinearPredictor.fit(holesInB(dense), val);
    LinearPredictor all = LinearPredictor.fit(dense, val);
    LinearPredictor evenOnly = LinearPredictor.fit(rows(dense, even), val);
    for (float[] x : TestVectors.randomUnit(new Random(1), 5, 6)) {
      // a is fully observed: as the dense fit; b has entries on even rows only: as a fit on those rows
      assertThat(sparse.predict(x).quality()[0]).isCloseTo(all.predict(x).quality()[0], offset(1e-9));
      assertThat(sparse.predict(x).quality()[1]).isCloseTo(evenOnly.predict(x).quality()[1], offset(1e-9));
      assertThat(sparse.predict(x).outputTokens()[1]).isCloseTo(evenOnly.predict(x).outputTokens()[1], offset(1e-6));
    }
  }

  @Test
  void everyEstimatorFitsSparseDataAndPredictsFiniteValues() {
    Random r = new Random(11);
    // with costs, which auto compares the others on
    TrainingSet train = AutoSelectTest.withCosts(holesInB(EstimatorsFamilyTest.linearData(r, 300, 0.1)));
    TrainingSet val = AutoSelectTest.withCosts(holesInB(EstimatorsFamilyTest.linearData(r, 120, 0.1)));
    float[][] probe = TestVectors.randomUnit(new Random(3), 20, 6);
    for (String name : Estimators.names()) {
      Predictor p = Estimators.get(name).fit(train, val, Map.of("k", "auto"), ProgressListener.NONE);
      for (float[] x : probe) {
        Prediction pr = p.predict(x);
        for (int j = 0; j < 2; j++) {
          assertThat(pr.quality()[j]).as(name).isBetween(0.0, 1.0);
          assertThat(pr.outputTokens()[j]).as(name).isFinite().isGreaterThanOrEqualTo(0.0);
        }
      }
      // b is constant 0.3 with noise: every estimator should land near it
      assertThat(p.predict(probe[0]).quality()[1]).as(name).isCloseTo(0.3, offset(0.15));
    }
  }

  @Test
  void aModelWithNoEntryCannotBeTrained() {
    double[][] q = {{1, NAN}, {0, NAN}};
    double[][] t = {{1, NAN}, {1, NAN}};
    TrainingSet ts = new TrainingSet(List.of("a", "new"), new float[][] {{1, 0}, {0, 1}}, q, t);
    assertThatThrownBy(ts::requireEveryModelObserved)
        .hasMessageStartingWith("model 'new' has no scored prompt in the training data");
  }
}
