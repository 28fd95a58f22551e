package io.carrot.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.carrot.server.ApiError;
import io.carrot.server.ServerConfig.ClientConfig;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BudgetsTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-05-05T12:00:00Z"), ZoneOffset.UTC);
  static final Client A = new Client("a", 10.0);

  /** Commits {@code usd} for the client: reserved and settled at the same amount. */
  static void spend(Budgets b, Client c, double usd) {
    b.reserve(c, usd).settle(usd);
  }

  @Test
  void muRisesLinearlyFromTheThresholdThenRequestsAreRefused() {
    Budgets b = new Budgets(CLOCK, 0.8, Budgets.inMemory());
    spend(b, A, 7.0);
    assertThat(b.pressure(A, 0.2)).isEqualTo(0.2);
    spend(b, A, 1.0);
    assertThat(b.pressure(A, 0.2)).isEqualTo(0.2);
    spend(b, A, 1.0);
    // 90% spent: halfway from 80% to 100%, so mu goes halfway from 0.2 to 1
    assertThat(b.pressure(A, 0.2)).isCloseTo(0.6, within(1e-12));
    assertThat(b.remaining(A)).isCloseTo(1.0, within(1e-12));
    b.check(A);
    spend(b, A, 1.0);
    assertThat(b.pressure(A, 0.2)).isEqualTo(1.0);
    assertThatThrownBy(() -> b.check(A))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(429))
        .hasMessageContaining("has spent 10.000000 USD of its daily budget of 10.000000 USD");
    Client free = new Client("free", null);
    spend(b, free, 1e9);
    b.check(free);
    assertThat(b.pressure(free, 0.3)).isEqualTo(0.3);
    assertThat(b.remaining(free)).isNull();
  }

  @Test
  void reservationsHoldThePredictionUntilSettledAndRefuseOnceTheBudgetIsCommitted() {
    Budgets b = new Budgets(CLOCK, 0.8, Budgets.inMemory());
    Budgets.Reservation r1 = b.reserve(A, 6.0);
    Budgets.Reservation r2 = b.reserve(A, 3.0);
    assertThat(b.spent("a")).isEqualTo(9.0);
    // 9 < 10 committed: admitted, and the total may pass the budget by this one prediction
    Budgets.Reservation r3 = b.reserve(A, 4.0);
    assertThat(b.spent("a")).isEqualTo(13.0);
    assertThatThrownBy(() -> b.reserve(A, 0.5)).isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(429));
    assertThat(b.spent("a")).as("a refused reservation is given back").isEqualTo(13.0);
    r1.settle(2.0);
    r1.settle(100.0);
    assertThat(b.spent("a")).as("settling twice counts once").isEqualTo(9.0);
    r2.adjust(5.0);
    assertThat(b.spent("a")).isEqualTo(11.0);
    r2.settle(0);
    r3.settle(4.0);
    assertThat(b.spent("a")).isEqualTo(6.0);
    assertThat(b.reserve(A, Double.NaN).held()).isEqualTo(0.0);
  }

  @Test
  void aFailingLedgerIsCountedLocallyAndCaughtUpLater() {
    Budgets.Ledger shared = Budgets.inMemory();
    boolean[] down = {false};
    Budgets.Ledger flaky = new Budgets.Ledger() {
      @Override
      public double add(String keyId, java.time.LocalDate day, double usd) {
        if (down[0]) {
          throw new io.carrot.core.CarrotException("connection refused");
        }
        return shared.add(keyId, day, usd);
      }

      @Override
      public double get(String keyId, java.time.LocalDate day) {
        return shared.get(keyId, day);
      }
    };
    Budgets b = new Budgets(CLOCK, 0.8, flaky);
    spend(b, A, 2.0);
    down[0] = true;
    spend(b, A, 3.0);
    assertThat(b.spent("a")).isEqualTo(5.0);
    assertThat(b.health()).singleElement().asString().contains("connection refused");
    down[0] = false;
    spend(b, A, 1.0);
    assertThat(shared.get("a", b.today())).isEqualTo(6.0);
    assertThat(b.health()).isEmpty();
  }

  @Test
  void aKeyMayHaveAtMostItsConcurrentRequestsRunning() {
    Budgets b = new Budgets(CLOCK, 0.8, Budgets.inMemory());
    Client two = new Client("two", null, 2);
    Budgets.Slot s1 = b.admit(two);
    Budgets.Slot s2 = b.admit(two);
    assertThatThrownBy(() -> b.admit(two))
        .isInstanceOfSatisfying(ApiError.class, e -> {
          assertThat(e.status()).isEqualTo(429);
          assertThat(e.code()).isEqualTo("concurrency_limit_exceeded");
        });
    s1.close();
    b.admit(two).close();
    s2.close();
    for (int i = 0; i < 5; i++) {
      b.admit(A).close();
    }
  }

  @Test
  void keysAreMatchedByHash() {
    String key = ClientKeys.newKey();
    assertThat(key).startsWith("ck-").hasSize(46);
    ClientKeys keys = new ClientKeys(List.of(new ClientConfig("team", ClientKeys.sha256(key), 3.0)));
    assertThat(keys.authenticate("Bearer " + key)).isEqualTo(new Client("team", 3.0));
    assertThat(keys.authenticate("bearer " + key)).isEqualTo(new Client("team", 3.0));
    assertThatThrownBy(() -> keys.authenticate("Bearer " + key + "x")).hasMessage("invalid API key");
    assertThatThrownBy(() -> keys.authenticate(key)).hasMessage("the Authorization header must be 'Bearer YOUR_KEY'");
    assertThat(new ClientKeys(List.of()).authenticate(null)).isEqualTo(Client.ANONYMOUS);
    // SHA-256 of "abc", a published test vector
    assertThat(ClientKeys.sha256("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }
}
