package io.carrot.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import org.junit.jupiter.api.Test;

class CalibrationTest {
  @Test
  void handComputedEceBrierAndBins() {
    // bin 0: .05 vs 0; bin 1: .15, .15 vs 0, 1; bin 9: .95, 1.0 vs 1, 1
    Calibration c = Calibration.of(new double[] {0.05, 0.15, 0.15, 0.95, 1.0}, new double[] {0, 0, 1, 1, 1});
    // 1/5 * .05 + 2/5 * |.15 - .5| + 2/5 * |.975 - 1|
    assertThat(c.ece()).isCloseTo(0.01 + 0.14 + 0.01, offset(1e-12));
    // (.0025 + .0225 + .7225 + .0025 + 0) / 5
    assertThat(c.brier()).isCloseTo(0.15, offset(1e-12));
    assertThat(c.meanPredicted()).isCloseTo(0.46, offset(1e-12));
    assertThat(c.meanObserved()).isCloseTo(0.6, offset(1e-12));
    assertThat(c.bias()).isCloseTo(-0.14, offset(1e-12));
    assertThat(c.n()).isEqualTo(5);
    assertThat(c.bins()).hasSize(10);
    assertThat(c.bins()).extracting(Calibration.Bin::count).containsExactly(1, 2, 0, 0, 0, 0, 0, 0, 0, 2);
    Calibration.Bin b1 = c.bins().get(1);
    assertThat(b1.lo()).isEqualTo(0.1);
    assertThat(b1.hi()).isEqualTo(0.2);
    assertThat(b1.meanPredicted()).isCloseTo(0.15, offset(1e-12));
    assertThat(b1.meanObserved()).isEqualTo(0.5);
    assertThat(c.bins().get(5).meanPredicted()).isNaN();
    assertThat(c.bins().get(9).meanPredicted()).isCloseTo(0.975, offset(1e-12));
  }

  @Test
  void aCalibratedForecastHasZeroEceButNotZeroBrier() {
    Calibration c = Calibration.of(new double[] {0.25, 0.25, 0.25, 0.25}, new double[] {1, 0, 0, 0});
    assertThat(c.ece()).isEqualTo(0.0);
    assertThat(c.brier()).isCloseTo((0.5625 + 3 * 0.0625) / 4, offset(1e-12));
  }

  @Test
  void edgesBelongToTheUpperBinAndOneToTheLast() {
    Calibration c = Calibration.of(new double[] {0.0, 0.5, 1.0}, new double[] {0, 1, 1}, 2);
    assertThat(c.bins()).extracting(Calibration.Bin::count).containsExactly(1, 2);
    assertThat(c.bins().get(1).meanPredicted()).isEqualTo(0.75);
    // bin 0 exact, bin 1: |.75 - 1| with weight 2/3
    assertThat(c.ece()).isCloseTo(2.0 / 3 * 0.25, offset(1e-12));
  }

  @Test
  void matricesPoolEveryCellOrOneColumn() {
    double[][] p = {{0.9, 0.2}, {0.7, 0.4}};
    double[][] y = {{1, 0}, {0, 1}};
    Calibration all = Calibration.ofAll(p, y);
    assertThat(all.n()).isEqualTo(4);
    // bins 2 (.2 vs 0), 4 (.4 vs 1), 7 (.7 vs 0), 9 (.9 vs 1): (.2 + .6 + .7 + .1) / 4
    assertThat(all.ece()).isCloseTo(0.4, offset(1e-12));
    Calibration second = Calibration.ofColumn(p, y, 1);
    assertThat(second.n()).isEqualTo(2);
    assertThat(second.ece()).isCloseTo((0.2 + 0.6) / 2, offset(1e-12));
    assertThat(second.brier()).isCloseTo((0.04 + 0.36) / 2, offset(1e-12));
  }

  @Test
  void badInputIsNamed() {
    assertThatThrownBy(() -> Calibration.of(new double[] {1.5}, new double[] {1}))
        .hasMessage("predicted quality 0 must be in [0, 1], got 1.5");
    assertThatThrownBy(() -> Calibration.of(new double[0], new double[0])).hasMessageContaining("at least one");
    assertThatThrownBy(() -> Calibration.of(new double[] {0.5}, new double[] {1}, 0)).hasMessage("calibration needs at least 1 bin, got 0");
  }
}
