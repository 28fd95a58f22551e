package io.carrot.core.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BudgetCurveTest {
  // spend falls from 4 to 1 mUSD per prompt as mu rises
  final BudgetCurve curve = new BudgetCurve(new double[] {0, 0.25, 0.5, 0.75, 1}, new double[] {0.004, 0.003, 0.003, 0.002, 0.001});

  @Test
  void picksTheMuWithTheClosestValidationSpend() {
    assertThat(curve.muFor(4.0)).isEqualTo(0.0); // exactly 4 USD per 1000
    assertThat(curve.muFor(2.9)).isEqualTo(0.25); // 3 is closest; ties between 0.25 and 0.5 keep the smaller mu
    assertThat(curve.muFor(2.4)).isEqualTo(0.75);
    assertThat(curve.muFor(0.01)).isEqualTo(1.0);
    assertThat(curve.muFor(100)).isEqualTo(0.0);
    assertThat(curve.usdPer1000At(0.7)).isEqualTo(2.0);
  }

  @Test
  void badInput() {
    assertThatThrownBy(() -> curve.muFor(0)).hasMessage("budget must be a number of USD per 1000 requests > 0, got 0.0");
    assertThatThrownBy(() -> new BudgetCurve(new double[] {0.5, 0.2}, new double[] {1, 2})).hasMessageContaining("mu must ascend");
  }
}
