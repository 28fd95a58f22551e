package io.carrot.core.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.core.CarrotException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  static final Instant NOW = Instant.parse("2026-10-21T07:28:00Z");
  final RetryPolicy p = new RetryPolicy(4, Duration.ofMillis(500), Duration.ofSeconds(30));

  @Test
  void retryableStatusesAreTheOpenAiSdksOnes() {
    List<Integer> retryable = new ArrayList<>();
    for (int s = 100; s < 600; s++) {
      if (RetryPolicy.retryable(s)) {
        retryable.add(s);
      }
    }
    List<Integer> expected = new ArrayList<>(List.of(408, 409, 425, 429, 500));
    for (int s = 502; s < 600; s++) {
      if (s != 505) {
        expected.add(s);
      }
    }
    assertThat(retryable).isEqualTo(expected);
    assertThat(RetryPolicy.retryable(401)).isFalse();
    assertThat(RetryPolicy.retryable(600)).isFalse();
  }

  @Test
  void retryAfterReadsSecondsDatesAndMilliseconds() {
    assertThat(RetryPolicy.retryAfter(null, "120", NOW)).hasValue(Duration.ofSeconds(120));
    assertThat(RetryPolicy.retryAfter(null, " 1.5 ", NOW)).hasValue(Duration.ofMillis(1500));
    assertThat(RetryPolicy.retryAfter(null, "Wed, 21 Oct 2026 07:28:30 GMT", NOW)).hasValue(Duration.ofSeconds(30));
    assertThat(RetryPolicy.retryAfter(null, "Wed, 21 Oct 2026 07:27:00 GMT", NOW)).hasValue(Duration.ZERO);
    // OpenAI's retry-after-ms wins over Retry-After
    assertThat(RetryPolicy.retryAfter("250", "120", NOW)).hasValue(Duration.ofMillis(250));
    assertThat(RetryPolicy.retryAfter("soon", "3", NOW)).hasValue(Duration.ofSeconds(3));
    // malformed and negative values are ignored; huge ones are held finite
    assertThat(RetryPolicy.retryAfter(null, "-5", NOW)).isEmpty();
    assertThat(RetryPolicy.retryAfter(null, "tomorrow", NOW)).isEmpty();
    assertThat(RetryPolicy.retryAfter(null, "NaN", NOW)).isEmpty();
    assertThat(RetryPolicy.retryAfter(null, "", NOW)).isEmpty();
    assertThat(RetryPolicy.retryAfter(null, null, NOW)).isEmpty();
    assertThat(RetryPolicy.retryAfter(null, "1e300", NOW)).hasValue(Duration.ofMillis(1_000_000_000_000L));
  }

  @Test
  void delayDoublesAddsJitterHonoursRetryAfterAndIsCapped() {
    // jitter at its bound: +25%
    assertThat(p.delay(1, Optional.empty(), b -> b)).isEqualTo(Duration.ofMillis(625));
    assertThat(p.delay(2, Optional.empty(), b -> 0)).isEqualTo(Duration.ofMillis(1000));
    assertThat(p.delay(3, Optional.empty(), b -> 0)).isEqualTo(Duration.ofMillis(2000));
    assertThat(p.delay(1, Optional.of(Duration.ofSeconds(7)), b -> 0)).isEqualTo(Duration.ofSeconds(7));
    // a shorter Retry-After does not shorten the exponential wait
    assertThat(p.delay(3, Optional.of(Duration.ofMillis(10)), b -> 0)).isEqualTo(Duration.ofMillis(2000));
    assertThat(p.delay(1, Optional.of(Duration.ofHours(1)), b -> 0)).isEqualTo(Duration.ofSeconds(30));
    assertThat(p.delay(60, Optional.empty(), b -> b)).isEqualTo(Duration.ofSeconds(30));
    for (int i = 0; i < 100; i++) {
      assertThat(p.delay(1, Optional.empty()).toMillis()).isBetween(500L, 625L);
    }
    assertThat(p.mayRetry(3)).isTrue();
    assertThat(p.mayRetry(4)).isFalse();
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO))
        .isInstanceOf(CarrotException.class).hasMessage("maxAttempts must be >= 1, got 0");
    assertThatThrownBy(() -> new RetryPolicy(1, Duration.ofMillis(-1), Duration.ZERO))
        .isInstanceOf(CarrotException.class).hasMessageContaining("initialBackoff");
  }
}
