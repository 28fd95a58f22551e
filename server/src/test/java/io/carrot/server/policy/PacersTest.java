package io.carrot.server.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.core.route.BudgetCurve;
import io.carrot.core.route.BudgetPacer;
import io.carrot.server.ApiError;
import org.junit.jupiter.api.Test;

class PacersTest {
  static final BudgetCurve CURVE = new BudgetCurve(new double[] {0, 1}, new double[] {0.010, 0.001});

  private static long streamsOf(Pacers p, String key) {
    return p.streams().stream().filter(s -> s.keyId().equals(key)).count();
  }

  @Test
  void oneStreamPerKeyAndBudget() {
    Pacers p = Pacers.over(CURVE);
    assertThat(p.available()).isTrue();
    BudgetPacer a = p.get("alice", 5);
    assertThat(p.get("alice", 5)).isSameAs(a);
    assertThat(p.get("bob", 5)).isNotSameAs(a);
    assertThat(p.get("alice", 6)).isNotSameAs(a);
    assertThat(a.usdPer1000()).isEqualTo(5);
    assertThat(p.streams()).extracting(Pacers.Stream::keyId).containsOnly("alice", "bob").hasSize(3);
  }

  @Test
  void aKeyCyclingThroughBudgetsKeepsOnlyItsMostRecentOnes() {
    Pacers p = Pacers.over(CURVE);
    BudgetPacer bob = p.get("bob", 5);
    BudgetPacer kept = p.get("alice", 5);
    BudgetPacer dropped = p.get("alice", 6);
    for (int i = 0; i < 1000; i++) {
      p.get("alice", 1 + i / 1000.0);
      assertThat(p.get("alice", 5)).isSameAs(kept); // used all along: never the eldest
    }
    assertThat(streamsOf(p, "alice")).isEqualTo(Pacers.MAX_BUDGETS_PER_KEY);
    assertThat(p.get("alice", 6)).isNotSameAs(dropped); // forgotten: its stream starts afresh
    assertThat(p.get("bob", 5)).isSameAs(bob);
    assertThat(streamsOf(p, "bob")).isEqualTo(1);
  }

  @Test
  void withoutACurveEveryBudgetIsA400SayingWhy() {
    Pacers none = Pacers.none("this router has no curve");
    assertThat(none.available()).isFalse();
    assertThatThrownBy(() -> none.get("k", 1))
        .isInstanceOfSatisfying(ApiError.class, e -> {
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.param()).isEqualTo("model");
        })
        .hasMessage("this router has no curve");
    assertThat(none.streams()).isEmpty();
  }
}
