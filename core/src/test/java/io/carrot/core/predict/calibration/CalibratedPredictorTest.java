package io.carrot.core.predict.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.carrot.core.predict.ConstantPredictor;
import java.util.List;
import org.junit.jupiter.api.Test;

class CalibratedPredictorTest {
  @Test
  void isotonicPoolsAdjacentViolators() {
    double[][] k = CalibratedPredictor.isotonic(new double[] {0.1, 0.2, 0.3, 0.4}, new double[] {0, 1, 0, 1});
    // (0.2,1) and (0.3,0) violate: pooled to 0.5 at x = 0.25
    assertThat(k[0]).containsExactly(0.1, 0.25, 0.4);
    assertThat(k[1]).containsExactly(0.0, 0.5, 1.0);
    CalibratedPredictor c = new CalibratedPredictor(new ConstantPredictor(List.of("a"), 1, new double[] {0}, new double[] {0}), k[0], k[1]);
    assertThat(c.map(0.05)).isEqualTo(0.0);
    assertThat(c.map(0.175)).isCloseTo(0.25, offset(1e-12));
    assertThat(c.map(0.25)).isEqualTo(0.5);
    assertThat(c.map(0.9)).isEqualTo(1.0);
  }
}
