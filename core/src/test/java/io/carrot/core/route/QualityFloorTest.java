package io.carrot.core.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QualityFloorTest {
  final List<String> names = List.of("a", "b", "c", "d");
  final double[] quality = {0.9, 0.75, 0.8, 0.4};
  final double[] cost = {3.0, 1.0, 2.0, 0.5};

  @Test
  void theCheapestModelThatClearsTheFloorThenTheRestByQuality() {
    List<Candidate> order = QualityFloor.sort(candidates(quality, cost), 0.78);
    assertThat(order).extracting(Candidate::model).containsExactly("c", "a", "b", "d");
    assertThat(QualityFloor.choose(0.78, quality, cost, names)).isEqualTo(2);
    assertThat(QualityFloor.cleared(order, 0.78)).isTrue();
    // the floor is inclusive
    assertThat(QualityFloor.choose(0.75, quality, cost, names)).isEqualTo(1);
  }

  @Test
  void whenNobodyClearsTheBestPredictedModelIsChosen() {
    List<Candidate> order = QualityFloor.sort(candidates(quality, cost), 0.95);
    assertThat(order).extracting(Candidate::model).containsExactly("a", "c", "b", "d");
    assertThat(QualityFloor.cleared(order, 0.95)).isFalse();
    assertThat(QualityFloor.choose(0.95, quality, cost, names)).isZero();
  }

  @Test
  void tiesGoToHigherQualityThenName() {
    double[] q = {0.8, 0.9, 0.9, 0.5};
    double[] c = {1, 1, 1, 1};
    assertThat(QualityFloor.sort(candidates(q, c), 0.7)).extracting(Candidate::model).containsExactly("b", "c", "a", "d");
    assertThat(QualityFloor.sort(candidates(q, c), 0.95)).extracting(Candidate::model).containsExactly("b", "c", "a", "d");
  }

  @Test
  void theArrayPathAgreesWithTheSortOnRandomInputs() {
    Random rnd = new Random(42);
    for (int t = 0; t < 2000; t++) {
      double[] q = new double[4];
      double[] c = new double[4];
      for (int m = 0; m < 4; m++) {
        // coarse values, so ties happen
        q[m] = rnd.nextInt(5) / 4.0;
        c[m] = rnd.nextInt(3);
      }
      double floor = rnd.nextInt(5) / 4.0;
      String first = QualityFloor.sort(candidates(q, c), floor).get(0).model();
      assertThat(names.get(QualityFloor.choose(floor, q, c, names))).isEqualTo(first);
    }
  }

  private List<Candidate> candidates(double[] q, double[] c) {
    List<Candidate> out = new ArrayList<>();
    for (int m = 0; m < q.length; m++) {
      out.add(new Candidate(names.get(m), q[m], 0, c[m], 0));
    }
    return out;
  }
}
