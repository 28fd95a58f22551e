package io.carrot.server;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.core.CarrotException;
import io.carrot.server.auth.Budgets;
import io.carrot.server.bench.HashEmbedder;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/** Bad settings reach the user as a CarrotException naming the setting and what it must be. */
class ArgumentErrorsTest {
  @Test
  void aRaiseThresholdOutsideZeroToOneIsNamed() {
    assertThatThrownBy(() -> new Budgets(Clock.systemUTC(), 1.5, null))
        .isInstanceOf(CarrotException.class)
        .hasMessage("budget_policy.raise_mu_from must be in [0, 1], got 1.5");
    assertThatThrownBy(() -> new Budgets(Clock.systemUTC(), Double.NaN, null))
        .isInstanceOf(CarrotException.class)
        .hasMessage("budget_policy.raise_mu_from must be in [0, 1], got NaN");
  }

  @Test
  void aBenchEmbedderWithoutDimensionsIsNamed() {
    assertThatThrownBy(() -> new HashEmbedder(0))
        .isInstanceOf(CarrotException.class)
        .hasMessage("the hash embedder's dimension must be >= 1, got 0");
  }
}
