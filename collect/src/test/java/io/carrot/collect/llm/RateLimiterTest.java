package io.carrot.collect.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The limiter on a fake clock: waits are computed, never measured. */
class RateLimiterTest {
  @Test
  void spacesRequestStartsEvenly() {
    AtomicLong now = new AtomicLong(1_000);
    List<Long> slept = new ArrayList<>();
    RateLimiter l = new RateLimiter(120, now::get, nanos -> {
      slept.add(nanos);
      now.addAndGet(nanos);
    });
    // 120 per minute: one start every 0.5 s.
    assertThat(l.acquire()).isZero();
    assertThat(l.acquire()).isEqualTo(500_000_000L);
    now.addAndGet(200_000_000L);
    assertThat(l.acquire()).isEqualTo(300_000_000L);
    now.addAndGet(2_000_000_000L);
    assertThat(l.acquire()).as("an idle limiter does not bank a burst").isZero();
    assertThat(l.acquire()).isEqualTo(500_000_000L);
    assertThat(slept).containsExactly(500_000_000L, 300_000_000L, 500_000_000L);
  }

  @Test
  void rejectsANonPositiveRate() {
    assertThatThrownBy(() -> new RateLimiter(0)).hasMessage("requests_per_minute must be a positive number, got 0.0");
  }
}
