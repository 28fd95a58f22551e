package io.carrot.server.upstream;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * An upstream's response body with deadlines: a read that waits more than {@code idle} for the next
 * bytes, or any read after the attempt's {@code deadline}, fails with {@link StallException}; so
 * does every read after {@link #cancel()} (the client left). A watchdog on a shared scheduler
 * closes the underlying stream when a deadline passes, which wakes the blocked reader; the read
 * path itself only writes two volatile fields.
 *
 * <p>Idle time is counted only while a read is waiting: time the relay spends writing to a slow
 * client is not the upstream's fault.
 */
public final class GuardedInput extends FilterInputStream {
  /** Why reading stopped. */
  public enum Trip { IDLE, TOTAL, CANCELLED }

  private final ScheduledExecutorService scheduler;
  private final long idleNanos;
  private final long deadlineNanos;
  private volatile long since = System.nanoTime();
  private volatile boolean reading;
  private volatile Trip tripped;
  private ScheduledFuture<?> timer;

  GuardedInput(InputStream in, ScheduledExecutorService scheduler, long idleNanos, long deadlineNanos) {
    super(in);
    this.scheduler = scheduler;
    this.idleNanos = idleNanos;
    this.deadlineNanos = deadlineNanos;
    arm(Math.min(idleNanos, deadlineNanos - System.nanoTime()));
  }

  /** A read stopped by a deadline or a cancellation. */
  public static final class StallException extends IOException {
    private static final long serialVersionUID = 1L;
    private final Trip trip;

    StallException(Trip trip, String message) {
      super(message);
      this.trip = trip;
    }

    public Trip trip() {
      return trip;
    }
  }

  private synchronized void arm(long delayNanos) {
    if (tripped == null) {
      timer = scheduler.schedule(this::check, Math.max(delayNanos, 0), TimeUnit.NANOSECONDS);
    }
  }

  private void check() {
    long now = System.nanoTime();
    if (now - deadlineNanos >= 0) {
      trip(Trip.TOTAL);
    } else if (reading && now - since >= idleNanos) {
      trip(Trip.IDLE);
    } else {
      long next = reading ? since + idleNanos - now : idleNanos;
      arm(Math.min(next, deadlineNanos - now));
    }
  }

  /** Stops reading for good: the next (or the current, blocked) read fails. Idempotent. */
  public void cancel() {
    trip(Trip.CANCELLED);
  }

  private void trip(Trip t) {
    synchronized (this) {
      if (tripped != null) {
        return;
      }
      tripped = t;
      if (timer != null) {
        timer.cancel(false);
      }
    }
    // off the shared scheduler thread, which must never wait on one stream's close
    Thread.startVirtualThread(() -> {
      try {
        in.close();
      } catch (IOException ignored) {
        // the reader learns from tripped
      }
    });
  }

  /** Why reading stopped, or null while it may go on. */
  public Trip tripped() {
    return tripped;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    failIfTripped();
    since = System.nanoTime();
    reading = true;
    int n;
    try {
      n = in.read(b, off, len);
    } catch (IOException e) {
      failIfTripped();
      throw e;
    } finally {
      reading = false;
      since = System.nanoTime();
    }
    if (n < 0) {
      // closing by the watchdog may look like a clean end of the stream
      failIfTripped();
    }
    return n;
  }

  private void failIfTripped() throws StallException {
    Trip t = tripped;
    if (t != null) {
      throw new StallException(t, switch (t) {
        case IDLE -> "the upstream sent nothing for " + idleNanos / 1_000_000 + " ms (timeouts.idle_ms)";
        case TOTAL -> "the attempt ran past its deadline (timeouts.total_ms)";
        case CANCELLED -> "the request was cancelled";
      });
    }
  }

  @Override
  public void close() throws IOException {
    synchronized (this) {
      if (timer != null) {
        timer.cancel(false);
      }
      if (tripped == null) {
        tripped = Trip.CANCELLED;
      }
    }
    in.close();
  }
}
