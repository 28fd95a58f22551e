package io.carrot.cli;

import java.io.PrintWriter;

/**
 * A progress bar on standard error: redrawn in place on a terminal, a line per 10% otherwise (so
 * logs of long jobs stay readable).
 */
final class Progress {
  private final PrintWriter err;
  private final String label;
  private final long total;
  private final boolean tty;
  private final long start = System.nanoTime();
  private int lastDecile = -1;
  private long lastDraw;

  Progress(PrintWriter err, String label, long total) {
    this.err = err;
    this.label = label;
    this.total = Math.max(1, total);
    this.tty = System.console() != null && System.getenv("CARROT_NO_PROGRESS") == null;
  }

  synchronized void update(long done) {
    long now = System.nanoTime();
    if (tty) {
      if (now - lastDraw < 100_000_000L && done < total) {
        return;
      }
      lastDraw = now;
      int width = 30;
      int filled = (int) (width * done / total);
      double secs = (now - start) / 1e9;
      double eta = done == 0 ? 0 : secs * (total - done) / done;
      err.printf("\r%-22s [%s%s] %d/%d  %.0fs elapsed, ETA %.0fs ", label, "#".repeat(filled), ".".repeat(width - filled), done, total, secs, eta);
      err.flush();
    } else {
      int decile = (int) (10 * done / total);
      if (decile > lastDecile && (decile % 5 == 0 || done == total)) {
        lastDecile = decile;
        err.printf("%s: %d/%d (%.0fs)%n", label, done, total, (now - start) / 1e9);
        err.flush();
      }
    }
  }

  synchronized void done() {
    update(total);
    if (tty) {
      err.println();
    }
  }
}
