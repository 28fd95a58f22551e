package io.carrot.core.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.carrot.core.CarrotException;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BudgetPacerTest {
  /** mu = 0 spends 10 per 1000 prompts, mu = 1 spends 1. */
  static final BudgetCurve CURVE = new BudgetCurve(new double[] {0, 1}, new double[] {0.010, 0.001});

  @Test
  void theTargetPaysBackTheExcessOverTheHorizon() {
    BudgetPacer p = new BudgetPacer(CURVE, 5.5, 2);
    assertThat(p.targetUsdPer1000()).isEqualTo(5.5);
    assertThat(p.next().shareHigh()).isCloseTo(0.5, offset(1e-12)); // (10 - 5.5) / 9
    p.record(0.010); // one dear request: 4.5 per 1000 over, paid back over 2 requests
    assertThat(p.targetUsdPer1000()).isCloseTo(5.5 - 4.5 / 2, offset(1e-9));
    assertThat(p.next().shareHigh()).isCloseTo((10 - 3.25) / 9, offset(1e-9));
    p.record(0.001); // 11 spent over 2 requests: exactly on budget
    assertThat(p.targetUsdPer1000()).isCloseTo(5.5, offset(1e-9));
    assertThat(p.requests()).isEqualTo(2);
    assertThat(p.spentUsdPer1000()).isCloseTo(5.5, offset(1e-9));
    p.record(1.0); // far over: the target is clamped to a quarter of the budget
    assertThat(p.targetUsdPer1000()).isCloseTo(5.5 / 4, offset(1e-12));
    BudgetPacer under = new BudgetPacer(CURVE, 2, 1);
    under.record(0);
    assertThat(under.targetUsdPer1000()).isCloseTo(4, offset(1e-9)); // 2 + 2 / 1
    for (int i = 0; i < 4; i++) {
      under.record(0);
    }
    assertThat(under.targetUsdPer1000()).isCloseTo(8, offset(1e-9)); // 2 + 10 / 1, clamped to 4x the budget
  }

  @Test
  void budgetsAtTheEndsOfTheCurveAreNotPaced() {
    BudgetPacer top = new BudgetPacer(CURVE, 20);
    top.record(0.5);
    assertThat(top.targetUsdPer1000()).isEqualTo(20);
    assertThat(top.next().muLow()).isZero();
    BudgetPacer bottom = new BudgetPacer(CURVE, 1);
    bottom.record(0);
    assertThat(bottom.targetUsdPer1000()).isEqualTo(1);
    assertThat(bottom.next().mu(0.99)).isEqualTo(1);
  }

  /**
   * The stream costs 30% more than the curve says at every mu (the curve was measured on other
   * prompts) and each request's cost is noisy: a fixed setting overspends by 30%, the pacer lands
   * on the budget.
   */
  @Test
  void aStreamThatCostsMoreThanTheCurveIsHeldToTheBudget() {
    double budget = 4;
    SplittableRandom rnd = new SplittableRandom(7);
    BudgetPacer pacer = new BudgetPacer(CURVE, budget);
    BudgetCurve.Setting fixed = CURVE.setting(budget);
    double fixedSpend = 0;
    int n = 5000;
    for (int i = 0; i < n; i++) {
      double u = rnd.nextDouble();
      double noise = 1.3 * 2 * rnd.nextDouble(); // mean 1.3
      fixedSpend += cost(fixed.mu(u)) * noise;
      pacer.record(cost(pacer.next().mu(u)) * noise);
    }
    assertThat(1000 * fixedSpend / n / budget - 1).isCloseTo(0.3, offset(0.05));
    assertThat(pacer.spentUsdPer1000() / budget - 1).isCloseTo(0, offset(0.01));
  }

  private static double cost(double mu) {
    return mu == 0 ? 0.010 : 0.001;
  }

  @Test
  void concurrentRequestsAreAllCounted() throws InterruptedException {
    BudgetPacer p = new BudgetPacer(CURVE, 5);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    for (int t = 0; t < 4; t++) {
      pool.submit(() -> {
        for (int i = 0; i < 1000; i++) {
          p.next();
          p.record(0.002);
        }
      });
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.requests()).isEqualTo(4000);
    assertThat(p.spentUsdPer1000()).isCloseTo(2, offset(1e-9));
  }

  @Test
  void badValuesAreNamed() {
    assertThatThrownBy(() -> new BudgetPacer(CURVE, -1)).isInstanceOf(CarrotException.class).hasMessageContaining("got -1.0");
    assertThatThrownBy(() -> new BudgetPacer(CURVE, 5, 0)).hasMessageContaining("horizon must be >= 1 request, got 0");
    BudgetPacer p = new BudgetPacer(CURVE, 5);
    assertThatThrownBy(() -> p.record(Double.NaN)).hasMessageContaining("cost must be a number of USD >= 0, got NaN");
    assertThatThrownBy(() -> p.record(-0.1)).hasMessageContaining("got -0.1");
    assertThat(p.spentUsdPer1000()).isNaN();
  }
}
