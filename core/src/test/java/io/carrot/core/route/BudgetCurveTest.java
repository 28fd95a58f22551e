package io.carrot.core.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import org.junit.jupiter.api.Test;

class BudgetCurveTest {
  // spend falls from 4 to 1 mUSD per prompt as mu rises; mu = 0.5 costs what 0.25 does
  final BudgetCurve curve = new BudgetCurve(new double[] {0, 0.25, 0.5, 0.75, 1}, new double[] {0.004, 0.003, 0.003, 0.002, 0.001});

  @Test
  void aBudgetBetweenTwoStepsMixesThemSoTheExpectedSpendIsTheBudget() {
    BudgetCurve.Setting s = curve.setting(3.5);
    assertThat(s.muLow()).isEqualTo(0.0);
    assertThat(s.muHigh()).isEqualTo(0.25);
    assertThat(s.shareHigh()).isCloseTo(0.5, offset(1e-12)); // (4 - 3.5) / (4 - 3)
    assertThat(s.expectedUsdPer1000()).isEqualTo(3.5);
    assertThat(s.mu(0.49)).isEqualTo(0.25);
    assertThat(s.mu(0.51)).isEqualTo(0.0);

    // 2.9 lies between mu = 0.25 (3) and 0.75 (2); 0.5 is skipped, it costs no less than 0.25
    BudgetCurve.Setting t = curve.setting(2.9);
    assertThat(t.muLow()).isEqualTo(0.25);
    assertThat(t.muHigh()).isEqualTo(0.75);
    assertThat(t.shareHigh()).isCloseTo(0.1, offset(1e-12));
    assertThat(0.9 * 3 + 0.1 * 2).isCloseTo(t.expectedUsdPer1000(), offset(1e-12));
  }

  @Test
  void budgetsOnAStepOrBeyondTheEndsAreOneMu() {
    BudgetCurve.Setting top = curve.setting(4.0);
    assertThat(top.muLow()).isEqualTo(0.0);
    assertThat(top.shareHigh()).isZero();
    assertThat(top.mu(0.0)).isEqualTo(0.0);
    assertThat(curve.setting(100).mu(0.0)).isEqualTo(0.0);
    assertThat(curve.setting(100).expectedUsdPer1000()).isEqualTo(4.0);
    // exactly on the mu = 0.25 step: everyone gets 0.25
    assertThat(curve.setting(3.0).mu(0.999)).isEqualTo(0.25);
    BudgetCurve.Setting bottom = curve.setting(0.5);
    assertThat(bottom.mu(0.0)).isEqualTo(1.0);
    assertThat(bottom.mu(0.999)).isEqualTo(1.0);
    assertThat(bottom.expectedUsdPer1000()).isEqualTo(1.0);
    assertThat(curve.rangeUsdPer1000()).containsExactly(1.0, 4.0);
  }

  @Test
  void aDearerLargerMuIsSkipped() {
    BudgetCurve bumpy = new BudgetCurve(new double[] {0, 0.5, 1}, new double[] {0.004, 0.005, 0.001});
    BudgetCurve.Setting s = bumpy.setting(3);
    assertThat(s.muLow()).isEqualTo(0.0);
    assertThat(s.muHigh()).isEqualTo(1.0);
    assertThat(s.shareHigh()).isCloseTo(1.0 / 3, offset(1e-12));
  }

  @Test
  void thePromptHashIsSha256AndSplitsPromptsInTheAskedShare() {
    // python: int(hashlib.sha256(b"hello").hexdigest()[:16], 16) >> 11) / 2**53
    assertThat(BudgetCurve.uniform("hello")).isEqualTo(0.17557225990430192);
    assertThat(BudgetCurve.uniform("What is 12 times 12?")).isEqualTo(0.8088275067508469);
    BudgetCurve.Setting s = curve.setting(2.3); // 70% to mu = 0.75, 30% to 0.25
    assertThat(s.shareHigh()).isCloseTo(0.7, offset(1e-12));
    int high = 0;
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      String prompt = "prompt number " + i;
      double mu = s.muFor(prompt);
      assertThat(s.muFor(prompt)).isEqualTo(mu);
      high += mu == 0.75 ? 1 : 0;
    }
    assertThat((double) high / n).isCloseTo(0.7, offset(0.01));
  }

  @Test
  void badInput() {
    assertThatThrownBy(() -> curve.setting(0)).hasMessage("budget must be a number of USD per 1000 requests > 0, got 0.0");
    assertThatThrownBy(() -> curve.setting(Double.NaN)).hasMessageContaining("got NaN");
    assertThatThrownBy(() -> new BudgetCurve(new double[] {0.5, 0.2}, new double[] {1, 2})).hasMessageContaining("mu must ascend");
  }
}
