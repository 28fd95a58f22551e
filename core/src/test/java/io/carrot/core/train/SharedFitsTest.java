package io.carrot.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.carrot.core.ProgressListener;
import io.carrot.core.TestVectors;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.predict.calibration.CalibratedPredictor;
import io.carrot.core.predict.lowrank.LowRankPredictor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SharedFitsTest {
  static TrainingSet data(Random r, int n) {
    float[][] e = TestVectors.randomUnit(r, n, 4);
    double[][] q = new double[n][2];
    double[][] t = new double[n][2];
    for (int i = 0; i < n; i++) {
      q[i][0] = e[i][0] > 0 ? 1 : 0;
      q[i][1] = r.nextInt(2);
      t[i][0] = 100;
      t[i][1] = 50 + 10 * e[i][1];
    }
    return new TrainingSet(List.of("a", "b"), e, q, t);
  }

  @Test
  void withinAScopeAPartIsFittedOnceAndChangesNoPrediction() {
    Random r = new Random(1);
    TrainingSet train = data(r, 200);
    TrainingSet val = data(r, 60);
    Map<String, String> s = Map.of("k", "auto");
    AtomicInteger cvRuns = new AtomicInteger();
    ProgressListener counting = (stage, done, total) -> {
      if (stage.startsWith("choosing k") && done == total) {
        cvRuns.incrementAndGet();
      }
    };
    Predictor alone = Estimators.get("knn-low-rank").fit(train, val, s, ProgressListener.NONE);
    Predictor[] shared = SharedFits.within(() -> new Predictor[] {
        Estimators.get("knn").fit(train, val, s, counting),
        Estimators.get("knn-low-rank").fit(train, val, s, counting),
        Estimators.get("ensemble").fit(train, val, s, counting)});
    assertThat(cvRuns.get()).isEqualTo(1); // one cross-validation of k for three families
    // knn-low-rank's base is the very KNN the knn family returned
    LowRankPredictor lr = (LowRankPredictor) ((CalibratedPredictor) shared[1]).base();
    assertThat(lr.base()).isSameAs(shared[0]);
    for (float[] x : val.embeddings()) {
      assertThat(Arrays.equals(shared[1].predict(x).quality(), alone.predict(x).quality())).isTrue();
    }
    // outside a scope every fit starts afresh
    assertThat(Estimators.get("knn").fit(train, val, s, ProgressListener.NONE))
        .isNotSameAs(Estimators.get("knn").fit(train, val, s, ProgressListener.NONE));
  }
}
