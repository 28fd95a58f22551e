package io.carrot.server;

import io.carrot.server.log.DecisionLog;
import io.carrot.server.log.LogEntry;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** The bookkeeping every logged request shares: its id, its log entry, its metrics. */
final class Requests {
  private final Clock clock;
  private final DecisionLog log;
  private final ServerMetrics metrics;
  private final AtomicInteger inFlight = new AtomicInteger();

  Requests(Clock clock, DecisionLog log, ServerMetrics metrics) {
    this.clock = clock;
    this.log = log;
    this.metrics = metrics;
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

  /** Finishes a request: metrics and the log. */
  void end(Context ctx, LogEntry.Builder b) {
    Long started = ctx.attribute("carrot.started");
    double seconds = started == null ? 0 : (System.nanoTime() - started) / 1e9;
    b.totalMs = seconds * 1000;
    metrics.requests.inc(b.endpoint, Integer.toString(b.status));
    metrics.request.observe(seconds, b.endpoint);
    try {
      log.append(b.build());
    } finally {
      inFlight.decrementAndGet();
    }
  }

  /** Requests begun and not yet ended. */
  int inFlight() {
    return inFlight.get();
  }
}
