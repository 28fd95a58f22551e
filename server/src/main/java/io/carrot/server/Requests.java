package io.carrot.server;

import io.carrot.server.log.DecisionLog;
import io.carrot.server.log.LogEntry;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bookkeeping every logged request shares: its id, its log entry, its metrics.
 *
 * <p>A request's row is stored before the last byte of its answer: {@link #store} appends the row
 * and waits (at most {@code durableWaitMs}, and not at all while the log's writer is failing) until
 * the database has committed it. Non-streamed answers and errors are written by the server after
 * the handler has returned, so storing in {@link #end} is early enough; a stream stores its row
 * just before its final {@code data: [DONE]} event.
 */
final class Requests {
  private final Clock clock;
  private final DecisionLog log;
  private final ServerMetrics metrics;
  private final long durableWaitMs;
  private final AtomicInteger inFlight = new AtomicInteger();

  Requests(Clock clock, DecisionLog log, ServerMetrics metrics, long durableWaitMs) {
    this.clock = clock;
    this.log = log;
    this.metrics = metrics;
    this.durableWaitMs = durableWaitMs;
  }

  /** Starts a request: a new id (sent as {@code x-carrot-request-id}) and its log entry. */
  LogEntry.Builder begin(Context ctx, String endpoint) {
    inFlight.incrementAndGet();
    LogEntry.Builder b = new LogEntry.Builder();
    byte[] id = new byte[12];
    ThreadLocalRandom.current().nextBytes(id);
    b.requestId = "req_" + HexFormat.of().formatHex(id);
    Instant now = clock.instant();
    b.createdAt = now.toEpochMilli();
    b.day = now.atZone(ZoneOffset.UTC).toLocalDate().toString();
    b.endpoint = endpoint;
    b.status = 200;
    ctx.attribute("carrot.started", System.nanoTime());
    ctx.header("x-carrot-request-id", b.requestId);
    return b;
  }

  /** Records a failure; the exception is then answered by the server's exception handler. */
  void fail(Context ctx, LogEntry.Builder b, RuntimeException e) {
    if (e instanceof ApiError a) {
      b.status = a.status();
      b.error = a.getMessage();
    } else {
      b.status = 500;
      b.error = "internal error: " + e;
    }
  }

  /** Stores the request's row now, durably (see the class comment); later calls do nothing. */
  void store(Context ctx, LogEntry.Builder b) {
    if (b.logged) {
      return;
    }
    b.logged = true;
    Long started = ctx.attribute("carrot.started");
    b.totalMs = started == null ? 0 : (System.nanoTime() - started) / 1e6;
    if (durableWaitMs <= 0) {
      log.append(b.build());
      return;
    }
    CompletableFuture<Void> stored = log.appendAndCommit(b.build(), durableWaitMs);
    if (log.writing()) {
      long t0 = System.nanoTime();
      try {
        stored.get(durableWaitMs, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        metrics.durableTimeouts.inc();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException e) {
        throw new IllegalStateException("the decision log's futures never fail", e);
      }
      metrics.durableWait.observe((System.nanoTime() - t0) / 1e9);
    }
  }

  /** Finishes a request: its row (unless stored already) and its metrics. */
  void end(Context ctx, LogEntry.Builder b) {
    try {
      store(ctx, b);
      Long started = ctx.attribute("carrot.started");
      double seconds = started == null ? 0 : (System.nanoTime() - started) / 1e9;
      metrics.requests.inc(b.endpoint, Integer.toString(b.status));
      metrics.request.observe(seconds, b.endpoint);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  /** Requests begun and not yet ended. */
  int inFlight() {
    return inFlight.get();
  }
}
