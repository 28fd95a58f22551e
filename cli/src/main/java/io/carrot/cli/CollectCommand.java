package io.carrot.cli;

import io.carrot.collect.run.CollectJob;
import io.carrot.collect.run.Collector;
import io.carrot.core.CarrotException;
import io.carrot.embed.Cl100kTokenCounter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "collect",
    mixinStandardHelpOptions = true,
    description = {
      "Build a routing dataset: send every prompt to every model through OpenAI-compatible APIs, grade the answers"
          + " (exact match against a reference answer, else the --judge model), write a dataset folder for 'carrot train'.",
      "Every finished call is appended to a checkpoint first: rerunning the same command resumes without paying twice."
    })
final class CollectCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--prompts", required = true, paramLabel = "FILE",
      description = "JSONL, one {\"prompt\": ..., \"id\": ..., \"source\": ..., \"reference\": ...} per line (id, source, reference optional).")
  Path prompts;

  @Option(names = "--models", required = true, paramLabel = "models.yaml",
      description = "Upstream servers, candidate models with prices, judges (see docs/collect.md).")
  Path models;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Dataset folder to write.")
  Path out;

  @Option(names = "--judge", paramLabel = "NAME",
      description = "Judge (from models.yaml) for prompts without a reference answer: grade 0-10, scaled to [0, 1].")
  String judge;

  @Option(names = "--concurrency", paramLabel = "N",
      description = "Calls in flight at most, over all upstreams (default: the sum of the upstreams' concurrency).")
  Integer concurrency;

  @Option(names = "--max-spend", paramLabel = "USD",
      description = "Hard cap on total spend (all runs of this collection, from the APIs' reported usage).")
  Double maxSpend;

  @Option(names = "--checkpoint", paramLabel = "FILE", description = "Checkpoint file (default: <DIR>.checkpoint.jsonl).")
  Path checkpoint;

  @Option(names = "--judge-attempts", defaultValue = "3", paramLabel = "N",
      description = "Judge calls per answer before a malformed grade is recorded as missing (default: ${DEFAULT-VALUE}).")
  int judgeAttempts;

  @Option(names = "--write-partial", description = "Also write the dataset (complete prompts only) when the run stops early.")
  boolean writePartial;

  @Option(names = "--dry-run", description = "Print the cost estimate and stop.")
  boolean dryRun;

  @Option(names = "--skip-damaged",
      description = "Keep the good records of a checkpoint with damaged lines: move those lines to <checkpoint>.damaged"
          + " (their calls are made again) instead of stopping.")
  boolean skipDamaged;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter stdout = spec.commandLine().getOut();
    if (maxSpend != null && !(maxSpend > 0)) {
      throw new CarrotException("--max-spend must be a positive number of USD, got " + maxSpend);
    }
    CollectJob.Options o = new CollectJob.Options(prompts, models, out, checkpoint, judge, concurrency,
        maxSpend == null ? Double.POSITIVE_INFINITY : maxSpend, judgeAttempts, writePartial, dryRun, skipDamaged);
    CollectJob job = new CollectJob(o, null, new Cl100kTokenCounter());
    Bar bar = new Bar(err, maxSpend);
    CountDownLatch finished = new CountDownLatch(1);
    // Ctrl-C: let the calls in flight finish and be recorded, else a resume would pay for them again.
    Thread hook = new Thread(() -> {
      job.stop();
      try {
        finished.await(120, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "carrot-collect-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return collect(job, bar, err, stdout);
    } finally {
      bar.end();
      // Released only now, so that a Ctrl-C exit still prints where the run stopped.
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C is in progress; the hook is running and has just been released.
      }
    }
  }

  private int collect(CollectJob job, Bar bar, PrintWriter err, PrintWriter stdout) {
    CollectJob.Result r;
    try {
      r = job.run(new CollectJob.Listener() {
        @Override
        public void info(String message) {
          bar.clear();
          err.print(message.endsWith("\n") ? message : message + "\n");
          err.flush();
        }

        @Override
        public void progress(int done, int failed, int pairs, double spentUsd) {
          bar.update(done, failed, pairs, spentUsd);
        }
      });
    } finally {
      bar.end();
    }
    if (dryRun) {
      return 0;
    }
    Collector.Outcome oc = r.outcome();
    String where = String.format(Locale.ROOT, "%d of %d prompt x model pairs done", oc.done(), oc.pairs());
    String kept = "finished calls are kept in " + r.checkpoint();
    return switch (oc.stop()) {
      case NONE -> {
        if (oc.failed() > 0) {
          err.printf("carrot: warning: %d calls failed (see %s); their prompts were left out; rerun the same command to retry them%n",
              oc.failed(), r.checkpoint());
        }
        stdout.printf("collected %s -> %s%n", where, out);
        yield 0;
      }
      case CAP -> throw new CarrotException(String.format(Locale.ROOT,
          "--max-spend %s: the next call could cross the spend cap; stopped with %s; %s; rerun with a higher --max-spend to continue%s",
          maxSpend, where, kept, r.written() != null ? " (wrote the complete prompts so far to " + out + ")" : ""));
      case STOPPED -> {
        err.printf("carrot: stopped with %s; %s; rerun the same command to resume%n", where, kept);
        yield 130;
      }
      case FATAL -> throw new CarrotException(oc.message() + "; stopped with " + where + "; " + kept
          + "; fix models.yaml or the API key and rerun");
    };
  }

  /** Progress on stderr with spend and ETA: in place on a terminal, a line per 10% otherwise. */
  private static final class Bar {
    private final PrintWriter err;
    private final Double cap;
    private final boolean tty = System.console() != null && System.getenv("CARROT_NO_PROGRESS") == null;
    private final long start = System.nanoTime();
    private int firstDone = -1;
    private int lastDecile = -1;
    private long lastDraw;
    private boolean drawn;

    Bar(PrintWriter err, Double cap) {
      this.err = err;
      this.cap = cap;
    }

    synchronized void update(int done, int failed, int pairs, double spent) {
      if (firstDone < 0) {
        firstDone = done;
      }
      long now = System.nanoTime();
      double secs = (now - start) / 1e9;
      int run = done - firstDone;
      double eta = run <= 0 ? Double.NaN : secs * (pairs - done) / run;
      String money = String.format(Locale.ROOT, "$%.4f%s", spent, cap == null ? "" : String.format(Locale.ROOT, " of $%.2f", cap));
      String line = String.format(Locale.ROOT, "collect [%s] %d/%d pairs%s  %s  %s", bar(done, pairs), done, pairs,
          failed > 0 ? ", " + failed + " failed" : "", money, Double.isNaN(eta) ? "ETA -" : String.format(Locale.ROOT, "ETA %.0fs", eta));
      if (tty) {
        if (now - lastDraw < 100_000_000L && done < pairs) {
          return;
        }
        lastDraw = now;
        err.print("\r" + line + " ");
        drawn = true;
      } else {
        int decile = pairs == 0 ? 10 : 10 * done / pairs;
        if (decile == lastDecile) {
          return;
        }
        lastDecile = decile;
        err.println(line);
      }
      err.flush();
    }

    private static String bar(int done, int pairs) {
      int width = 24;
      int filled = pairs == 0 ? width : width * done / pairs;
      return "#".repeat(filled) + ".".repeat(width - filled);
    }

    synchronized void clear() {
      if (drawn) {
        err.println();
        drawn = false;
      }
    }

    synchronized void end() {
      clear();
      err.flush();
    }
  }
}
