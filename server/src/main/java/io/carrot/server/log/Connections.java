package io.carrot.server.log;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * A small pool of JDBC connections for the short statements on the request path (the budget
 * ledger) and for reads, so they neither open a connection per call nor share the writer's. At most
 * {@code max} connections are in use at once; a connection that failed is closed, not returned.
 */
final class Connections implements AutoCloseable {
  /** Opens a new connection. */
  @FunctionalInterface
  interface Opener {
    Connection open() throws SQLException;
  }

  private final Opener opener;
  private final Semaphore permits;
  private final BlockingQueue<Connection> idle;
  private volatile boolean closed;

  Connections(Opener opener, int max) {
    this.opener = opener;
    this.permits = new Semaphore(max, true);
    this.idle = new ArrayBlockingQueue<>(max);
  }

  /** Runs {@code body} on a pooled connection in auto-commit mode. */
  <T> T with(DecisionLog.SqlFunction<T> body) throws SQLException {
    try {
      permits.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while waiting for a database connection", "08000", e);
    }
    try {
      Connection c = idle.poll();
      if (c == null) {
        c = opener.open();
      }
      T out;
      try {
        out = body.apply(c);
      } catch (SQLException | RuntimeException e) {
        DecisionLog.closeQuietly(c);
        throw e;
      }
      if (closed || !idle.offer(c)) {
        DecisionLog.closeQuietly(c);
      }
      return out;
    } finally {
      permits.release();
    }
  }

  @Override
  public void close() {
    closed = true;
    Connection c;
    while ((c = idle.poll()) != null) {
      DecisionLog.closeQuietly(c);
    }
  }
}
