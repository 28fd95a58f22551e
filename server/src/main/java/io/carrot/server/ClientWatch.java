package io.carrot.server;

import io.javalin.http.Context;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices that a client closed its connection while carrot waits on an upstream, so the upstream
 * call can be cancelled and no fallback starts.
 *
 * <p>An HTTP/1.1 server learns that a client left only by reading from or writing to its socket,
 * and Jetty does neither while a handler waits. So the watch polls: every {@link #POLL_MS} ms it
 * tries a non-blocking read on the connection, which answers -1 (or fails) once the client has
 * closed it; Jetty's own failure listener covers what Jetty notices itself. A client that
 * pipelines its next request behind this one (no LLM client does) would lose it: the watch then
 * stops and the response closes the connection.
 */
final class ClientWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClientWatch.class);
  /** Between two checks: the longest an abandoned upstream call runs on. */
  static final long POLL_MS = 100;

  private final EndPoint endPoint;
  private final ScheduledFuture<?> poll;
  private volatile boolean gone;
  private volatile boolean closed;
  private volatile boolean pipelined;
  private Runnable cancel;

  private ClientWatch(EndPoint endPoint, ScheduledExecutorService scheduler) {
    this.endPoint = endPoint;
    this.poll = endPoint == null ? null : scheduler.scheduleWithFixedDelay(this::check, POLL_MS, POLL_MS, TimeUnit.MILLISECONDS);
  }

  /** Starts watching the connection of {@code ctx}'s request (its body must have been read). */
  static ClientWatch start(Context ctx, ScheduledExecutorService scheduler) {
    Request r;
    try {
      r = ServletContextRequest.getServletContextRequest(ctx.req());
    } catch (RuntimeException e) {
      return new ClientWatch(null, scheduler);
    }
    ClientWatch w = new ClientWatch(r.getConnectionMetaData().getConnection().getEndPoint(), scheduler);
    r.addFailureListener(t -> w.leave());
    return w;
  }

  private void check() {
    int n;
    // under the lock so that no read happens after close(), when Jetty may read the next request
    synchronized (this) {
      if (closed || gone || pipelined) {
        return;
      }
      try {
        ByteBuffer b = ByteBuffer.allocate(1);
        b.flip();
        n = endPoint.fill(b);
      } catch (IOException | RuntimeException e) {
        n = -1;
      }
      if (n > 0) {
        pipelined = true;
        LOG.debug("a client sent bytes while its request was served; pipelining is not supported");
      }
    }
    if (n < 0) {
      leave();
    }
  }

  private void leave() {
    Runnable c;
    synchronized (this) {
      if (gone || closed) {
        return;
      }
      gone = true;
      c = cancel;
    }
    if (c != null) {
      // off the shared scheduler thread, which must never wait on one request's cleanup
      Thread.startVirtualThread(c);
    }
  }

  /** True once the client has gone. */
  boolean gone() {
    return gone;
  }

  /** True when bytes of a next request were read (and lost): the response must close the connection. */
  boolean pipelined() {
    return pipelined;
  }

  /** What to run when the client goes (replaces the previous action); runs at once when it has gone. */
  void onGone(Runnable action) {
    boolean now;
    synchronized (this) {
      cancel = action;
      now = gone;
    }
    if (now) {
      action.run();
    }
  }

  /** Stops watching; must happen before the response completes (Jetty reads the next request then). */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      cancel = null;
    }
    if (poll != null) {
      poll.cancel(false);
    }
  }
}
