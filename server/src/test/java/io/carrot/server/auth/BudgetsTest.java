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

  @Test
  void muRisesLinearlyFromTheThresholdThenRequestsAreRefused() {
    Budgets b = new Budgets(CLOCK, 0.8, Map.of("a", 7.0));
    assertThat(b.pressure(A, 0.2)).isEqualTo(0.2);
    b.charge("a", 1.0);
    assertThat(b.pressure(A, 0.2)).isEqualTo(0.2);
    b.charge("a", 1.0);
    // 90% spent: halfway from 80% to 100%, so mu goes halfway from 0.2 to 1
    assertThat(b.pressure(A, 0.2)).isCloseTo(0.6, within(1e-12));
    assertThat(b.remaining(A)).isCloseTo(1.0, within(1e-12));
    b.check(A);
    b.charge("a", 1.0);
    assertThat(b.pressure(A, 0.2)).isEqualTo(1.0);
    assertThatThrownBy(() -> b.check(A))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(429))
        .hasMessageContaining("has spent 10.000000 USD of its daily budget of 10.000000 USD");
    Client free = new Client("free", null);
    b.charge("free", 1e9);
    b.check(free);
    assertThat(b.pressure(free, 0.3)).isEqualTo(0.3);
    assertThat(b.remaining(free)).isNull();
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
