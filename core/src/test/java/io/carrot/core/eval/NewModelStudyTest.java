package io.carrot.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.carrot.core.ProgressListener;
import io.carrot.core.train.Estimators;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NewModelStudyTest {
  static NewModelStudy.Result run(int[] sizes) {
    return NewModelStudy.run(EvaluationHarnessTest.dataset(40, 20, 20), EvaluationHarnessTest.vectors(), "W", sizes, 2,
        "knn", Estimators.get("knn"), Map.of("k", "4"), "test-vectors", ProgressListener.NONE);
  }

  @Test
  void theNewModelIsLearntFromAFewLabelsAndLeftOutWithNone() {
    NewModelStudy.Result r = run(new int[] {6, 60});
    assertThat(r.availableLabels()).isEqualTo(60);
    assertThat(r.trials()).extracting(NewModelStudy.Trial::labels).containsExactly(0, 6, 6, 60, 60, -1);
    NewModelStudy.Trial without = r.trials().get(0);
    NewModelStudy.Trial all = r.trials().get(r.trials().size() - 1);
    // without W: S answers everything at mu = 0 (B is always wrong), so W gets nothing
    assertThat(without.share()).isZero();
    assertThat(without.accuracyMu0()).isEqualTo(1.0);
    // with every label CARROT routes like the oracle: A prompts (half) to W, AIQ as hand-computed in EvaluationHarnessTest
    assertThat(all.share()).isEqualTo(0.5);
    assertThat(all.aiq()).isCloseTo(0.008325 / 0.0099, offset(1e-12));
    assertThat(all.aiq()).isGreaterThan(without.aiq());
    assertThat(all.mse()).isZero();
    assertThat(all.correlation()).isCloseTo(1.0, offset(1e-12));
    // 60 labels = every label: the same router
    assertThat(r.trials().get(3).aiq()).isEqualTo(all.aiq());
    // 6 labels (5 on train, 1 on validation): k = 4 labelled neighbours mix the clusters, so W's estimates
    // are off and it is not trusted at mu = 0 (S is perfect), yet the frontier is no worse than without W
    for (NewModelStudy.Trial few : r.trials().subList(1, 3)) {
      assertThat(few.mse()).isGreaterThan(0);
      assertThat(few.aiq()).isGreaterThanOrEqualTo(without.aiq()).isLessThanOrEqualTo(all.aiq());
    }
  }

  @Test
  void runsAreDeterministicAndBadCountsAreNamed() {
    assertThat(run(new int[] {5}).trials()).isEqualTo(run(new int[] {5}).trials());
    assertThatThrownBy(() -> run(new int[] {61}))
        .hasMessage("label counts must be in [1, 60] (the labelled train + validation prompts of 'W'), got 61");
  }
}
