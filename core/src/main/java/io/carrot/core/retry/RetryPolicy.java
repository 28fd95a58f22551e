package io.carrot.core.retry;

import io.carrot.core.CarrotException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongUnaryOperator;

/**
 * How often and how long to retry an HTTP call to a model API.
 *
 * <p>The rule for statuses ({@link #retryable(int)}) follows the official OpenAI SDKs, which every
 * OpenAI-compatible server is written against: 408 (request time-out), 409 (lock conflict), 425
 * (too early), 429 (rate limit) and every 5xx except 501 (not implemented) and 505 (HTTP version not
 * supported), which fail the same way however often they are repeated. I/O failures (a refused or
 * reset connection, a time-out) are retryable too; that is the caller's {@code catch}.
 *
 * <p>The wait before retry {@code n} (1 = the first retry) is {@code initialBackoff * 2^(n-1)} plus
 * up to 25% jitter, raised to the server's {@code Retry-After} when it asks for longer, and capped at
 * {@code maxBackoff}; see {@link #delay}.
 *
 * @param maxAttempts tries per call, the first included (1 = no retry)
 * @param initialBackoff wait before the first retry
 * @param maxBackoff upper bound on one wait, {@code Retry-After} included
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new CarrotException("maxAttempts must be >= 1, got " + maxAttempts);
    }
    if (initialBackoff == null || initialBackoff.isNegative()) {
      throw new CarrotException("initialBackoff must be zero or positive, got " + initialBackoff);
    }
    if (maxBackoff == null || maxBackoff.isNegative()) {
      throw new CarrotException("maxBackoff must be zero or positive, got " + maxBackoff);
    }
  }

  /**
   * Waits {@code d} before a retry.
   *
   * @throws CarrotException (retryable: false) when the thread is interrupted, its flag set again
   */
  public static void backOff(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CarrotException("interrupted while backing off", e, true);
    }
  }

  /** True when repeating a call that got {@code status} may succeed. */
  public static boolean retryable(int status) {
    return status == 408 || status == 409 || status == 425 || status == 429
        || (status >= 500 && status <= 599 && status != 501 && status != 505);
  }

  /** True when another attempt is allowed after {@code attempt} tries (1 = the first). */
  public boolean mayRetry(int attempt) {
    return attempt < maxAttempts;
  }

  /**
   * The wait before the retry that follows try {@code attempt} (1 = the first try).
   *
   * @param retryAfter the server's wait (see {@link #retryAfter}), or empty
   * @param jitter maps a bound {@code b >= 0} to a random number in {@code [0, b]}; tests pass a
   *     fixed one
   */
  public Duration delay(int attempt, Optional<Duration> retryAfter, LongUnaryOperator jitter) {
    long base = initialBackoff.toMillis() << Math.min(Math.max(attempt, 1) - 1, 20);
    // jitter so that callers that hit one rate limit together do not retry in lockstep
    long wait = base + (base > 0 ? jitter.applyAsLong(base / 4) : 0);
    if (retryAfter.isPresent()) {
      wait = Math.max(wait, retryAfter.get().toMillis());
    }
    return Duration.ofMillis(Math.min(wait, maxBackoff.toMillis()));
  }

  /** {@link #delay(int, Optional, LongUnaryOperator)} with random jitter. */
  public Duration delay(int attempt, Optional<Duration> retryAfter) {
    return delay(attempt, retryAfter, b -> java.util.concurrent.ThreadLocalRandom.current().nextLong(b + 1));
  }

  /**
   * The wait a server asked for: {@code retry-after-ms} (milliseconds, sent by OpenAI) when
   * present, else {@code Retry-After} as delta-seconds ({@code 120}, decimals accepted) or as an
   * HTTP-date ({@code Wed, 21 Oct 2026 07:28:00 GMT}, relative to {@code now}; a past date is zero).
   * Malformed or negative values give empty: the exponential wait stands. Only {@link #delay} caps.
   *
   * @param retryAfterMs the {@code retry-after-ms} header, or null
   * @param retryAfter the {@code Retry-After} header, or null
   */
  public static Optional<Duration> retryAfter(String retryAfterMs, String retryAfter, Instant now) {
    if (retryAfterMs != null) {
      Optional<Duration> ms = number(retryAfterMs, 1);
      if (ms.isPresent()) {
        return ms;
      }
    }
    if (retryAfter == null || retryAfter.isBlank()) {
      return Optional.empty();
    }
    String v = retryAfter.strip();
    if (!v.isEmpty() && (Character.isDigit(v.charAt(0)) || v.charAt(0) == '.' || v.charAt(0) == '-')) {
      return number(v, 1000);
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT)).toInstant();
      Duration d = Duration.between(now, at);
      return d.isNegative() ? Optional.of(Duration.ZERO) : Optional.of(d);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** {@link #retryAfter(String, String, Instant)} of a response's headers. */
  public static Optional<Duration> retryAfter(java.net.http.HttpHeaders headers, Instant now) {
    return retryAfter(headers.firstValue("retry-after-ms").orElse(null), headers.firstValue("retry-after").orElse(null), now);
  }

  /** A non-negative number of {@code unitMillis}; held at 1e12 ms (~31 years) so millis never overflow. */
  private static Optional<Duration> number(String s, long unitMillis) {
    double d;
    try {
      d = Double.parseDouble(s.strip());
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (!(d >= 0)) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofMillis(Math.round(Math.min(d * unitMillis, 1e12))));
  }
}
