package io.carrot.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The deadlines of an upstream body: which one stops a read, and what does not count as idle. */
class GuardedInputTest {
  static final long MS = 1_000_000;
  final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  /** Bytes as a producer offers them; like the HTTP client's body stream, close wakes a blocked read. */
  static final class Feed extends InputStream {
    static final int CLOSED = -2;
    final BlockingQueue<Integer> bytes = new LinkedBlockingQueue<>();

    void offer(int b) {
      bytes.add(b);
    }

    @Override
    public int read() throws IOException {
      try {
        int b = bytes.take();
        if (b == CLOSED) {
          bytes.add(CLOSED);
          throw new IOException("closed");
        }
        return b;
      } catch (InterruptedException e) {
        throw new IOException(e);
      }
    }

    @Override
    public void close() {
      bytes.add(CLOSED);
    }
  }

  private GuardedInput guard(Feed in, long idleMs, long totalMs) {
    return new GuardedInput(in, scheduler, idleMs * MS, System.nanoTime() + totalMs * MS);
  }

  @Test
  void aSilentUpstreamTripsTheIdleDeadline() throws IOException {
    GuardedInput g = guard(new Feed(), 200, 60_000);
    assertThatThrownBy(g::read).isInstanceOf(GuardedInput.StallException.class).hasMessageContaining("idle_ms");
    assertThat(g.tripped()).isEqualTo(GuardedInput.Trip.IDLE);
  }

  @Test
  void aTrickleThatNeverIdlesStillEndsAtTheTotalDeadline() throws Exception {
    Feed in = new Feed();
    Thread writer = Thread.ofVirtual().start(() -> {
      try {
        while (true) {
          in.offer('x');
          Thread.sleep(20);
        }
      } catch (InterruptedException e) {
        // the test is over
      }
    });
    GuardedInput g = guard(in, 10_000, 400);
    long bytes = 0;
    try {
      while (g.read() >= 0) {
        bytes++;
      }
    } catch (GuardedInput.StallException e) {
      assertThat(e.trip()).isEqualTo(GuardedInput.Trip.TOTAL);
    }
    writer.interrupt();
    assertThat(g.tripped()).isEqualTo(GuardedInput.Trip.TOTAL);
    assertThat(bytes).isPositive();
  }

  @Test
  void timeSpentOutsideReadsIsNotIdleAndCancelStopsTheNextRead() throws Exception {
    Feed in = new Feed();
    GuardedInput g = guard(in, 150, 60_000);
    in.offer('a');
    in.offer('b');
    assertThat(g.read()).isEqualTo('a');
    // the caller is busy (writing to a slow client) for longer than idle_ms: not the upstream's fault
    Thread.sleep(400);
    assertThat(g.tripped()).isNull();
    assertThat(g.read()).isEqualTo('b');
    g.cancel();
    assertThatThrownBy(g::read).isInstanceOf(GuardedInput.StallException.class).hasMessage("the request was cancelled");
  }
}
