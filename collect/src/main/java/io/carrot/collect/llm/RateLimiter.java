package io.carrot.collect.llm;

import io.carrot.core.CarrotException;
import java.util.function.LongSupplier;

/**
 * Spaces request starts evenly: at most {@code requestsPerMinute} per minute, with no bursts, so a
 * provider's per-minute limit is never hit by this process alone. Thread-safe: each caller reserves
 * the next free slot and sleeps until it.
 */
public final class RateLimiter {
  /** Sleeps for the given nanoseconds; replaced in tests. */
  public interface Sleeper {
    void sleepNanos(long nanos) throws InterruptedException;
  }

  private final long intervalNanos;
  private final LongSupplier clock;
  private final Sleeper sleeper;
  private long nextFree;
  private boolean started;

  public RateLimiter(double requestsPerMinute) {
    this(requestsPerMinute, System::nanoTime, nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000)));
  }

  public RateLimiter(double requestsPerMinute, LongSupplier clock, Sleeper sleeper) {
    if (!(requestsPerMinute > 0) || Double.isInfinite(requestsPerMinute)) {
      throw new CarrotException("requests_per_minute must be a positive number, got " + requestsPerMinute);
    }
    this.intervalNanos = (long) (60e9 / requestsPerMinute);
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /** Blocks until this caller may start a request; returns the nanoseconds waited. */
  public long acquire() {
    long wait;
    synchronized (this) {
      long now = clock.getAsLong();
      long slot = started ? Math.max(now, nextFree) : now;
      started = true;
      nextFree = slot + intervalNanos;
      wait = slot - now;
    }
    if (wait > 0) {
      try {
        sleeper.sleepNanos(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CarrotException("interrupted while waiting for the rate limit", e, true);
      }
    }
    return wait;
  }
}
