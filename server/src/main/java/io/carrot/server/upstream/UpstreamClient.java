package io.carrot.server.upstream;

import io.carrot.core.retry.RetryPolicy;
import io.carrot.server.ServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Instant;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Sends requests to upstreams over one shared {@link HttpClient} (HTTP/1.1, pooled connections),
 * within the attempt's {@link Timeouts}. Never throws for upstream trouble: it returns a
 * {@link UpstreamResult} saying whether to fall back.
 *
 * <p>Every attempt can be cancelled (the client left): {@link #send} hands its caller a cancel
 * action, which aborts the exchange while the headers are awaited and closes the body afterwards.
 */
public final class UpstreamClient implements AutoCloseable {
  /** Non-streamed answers larger than this are refused as broken (a chat answer is kilobytes). */
  static final int MAX_BODY = 64 << 20;
  /** The part of an error response that is read (and then dropped) to keep the connection reusable. */
  static final int MAX_ERROR_BODY = 64 << 10;

  private final HttpClient http;
  private final Timeouts timeouts;
  private final ScheduledThreadPoolExecutor scheduler;
  private volatile String self = "http://127.0.0.1";

  public UpstreamClient(Timeouts timeouts) {
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(timeouts.connect())
        .executor(Executors.newVirtualThreadPerTaskExecutor())
        .build();
    this.timeouts = timeouts;
    this.scheduler = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform().name("carrot-deadlines").daemon().unstarted(r));
    scheduler.setRemoveOnCancelPolicy(true);
  }

  /** The scheduler that runs deadlines and client checks (one daemon thread). */
  public ScheduledExecutorService scheduler() {
    return scheduler;
  }

  public Timeouts timeouts() {
    return timeouts;
  }

  /** The server's own base address, substituted for {@code {self}} in base URLs. */
  public void self(String base) {
    this.self = base;
  }

  URI uri(Upstream u, Api api) {
    String base = u.baseUrl().startsWith(ServerConfig.SELF) ? self + u.baseUrl().substring(ServerConfig.SELF.length()) : u.baseUrl();
    return URI.create(base + api.path());
  }

  /**
   * One attempt: POSTs {@code body} to the upstream's endpoint of {@code api}.
   *
   * @param onCancel receives the attempt's cancel action as soon as there is one (first the
   *     exchange, then its body); running it makes the attempt end as {@link UpstreamResult.Reason#CLIENT_GONE}
   */
  public UpstreamResult send(Upstream u, Api api, byte[] body, boolean stream, Consumer<Runnable> onCancel) {
    long t0 = System.nanoTime();
    long deadline = t0 + timeouts.total().toNanos();
    long headerWait = Math.min(timeouts.firstByte().toNanos(), timeouts.total().toNanos());
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(u, api))
        .header("Content-Type", "application/json")
        .header("Accept", stream ? "text/event-stream" : "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (u.apiKey() != null) {
      b.header("Authorization", "Bearer " + u.apiKey());
    }
    CompletableFuture<HttpResponse<InputStream>> f = http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    onCancel.accept(() -> f.cancel(true));
    HttpResponse<InputStream> r;
    try {
      r = f.get(headerWait, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      return new UpstreamResult.Failed(
          UpstreamResult.Reason.TIMEOUT, "no response headers within " + headerWait / 1_000_000 + " ms", System.nanoTime() - t0);
    } catch (CancellationException e) {
      return gone(t0);
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      return gone(t0);
    } catch (ExecutionException e) {
      return f.isCancelled() || e.getCause() instanceof CancellationException ? gone(t0) : connectFailure(e.getCause(), t0);
    }
    long t = System.nanoTime() - t0;
    GuardedInput in = new GuardedInput(r.body(), scheduler, timeouts.idle().toNanos(), deadline);
    onCancel.accept(in::cancel);
    int status = r.statusCode();
    try {
      if (status / 100 == 2 && stream) {
        return new UpstreamResult.Streaming(r, in, t);
      }
      if (status / 100 == 2) {
        byte[] all = in.readNBytes(MAX_BODY + 1);
        in.close();
        if (all.length > MAX_BODY) {
          return new UpstreamResult.Failed(UpstreamResult.Reason.STREAM_BROKEN, "the answer is larger than " + MAX_BODY + " bytes", t);
        }
        return new UpstreamResult.Answered(status, r.headers(), all, t);
      }
      byte[] err = in.readNBytes(MAX_ERROR_BODY);
      in.close();
      if (status == 401 || status == 403) {
        return new UpstreamResult.Failed(
            UpstreamResult.Reason.UPSTREAM_AUTH, status, "HTTP " + status + ": the upstream refused carrot's API key for it",
            java.util.Optional.empty(), t);
      }
      if (RetryPolicy.retryable(status)) {
        return new UpstreamResult.Failed(
            status == 429 ? UpstreamResult.Reason.RATE_LIMITED : UpstreamResult.Reason.RETRYABLE_STATUS, status,
            "HTTP " + status, RetryPolicy.retryAfter(r.headers(), Instant.now()), t);
      }
      return new UpstreamResult.Answered(status, r.headers(), err, t);
    } catch (GuardedInput.StallException e) {
      return e.trip() == GuardedInput.Trip.CANCELLED
          ? gone(t0)
          : new UpstreamResult.Failed(UpstreamResult.Reason.TIMEOUT, e.getMessage(), System.nanoTime() - t0);
    } catch (IOException e) {
      closeQuietly(in);
      return new UpstreamResult.Failed(
          UpstreamResult.Reason.STREAM_BROKEN, "the answer broke off: " + e.getClass().getSimpleName(), System.nanoTime() - t0);
    }
  }

  private static UpstreamResult.Failed gone(long t0) {
    return new UpstreamResult.Failed(UpstreamResult.Reason.CLIENT_GONE, "the client closed the connection", System.nanoTime() - t0);
  }

  private static UpstreamResult.Failed connectFailure(Throwable cause, long t0) {
    long t = System.nanoTime() - t0;
    if (cause instanceof HttpConnectTimeoutException) {
      return new UpstreamResult.Failed(UpstreamResult.Reason.CONNECT, "connect time-out", t);
    }
    if (cause instanceof HttpTimeoutException) {
      return new UpstreamResult.Failed(UpstreamResult.Reason.TIMEOUT, "time-out", t);
    }
    if (cause instanceof ConnectException) {
      return new UpstreamResult.Failed(UpstreamResult.Reason.CONNECT, "cannot connect", t);
    }
    return new UpstreamResult.Failed(
        UpstreamResult.Reason.CONNECT, "connection failed: " + (cause == null ? "unknown" : cause.getClass().getSimpleName()), t);
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // the attempt has failed already
    }
  }

  @Override
  public void close() {
    http.shutdownNow();
    scheduler.shutdownNow();
  }
}
