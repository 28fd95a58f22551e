package io.carrot.embed;

import io.carrot.core.CarrotException;
import io.carrot.core.embed.Embedder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Embeds the texts of concurrent callers together: a transformer embeds a batch of 16 prompts in
 * far less than 16 times one prompt's time, so a server whose requests each embed one prompt gets
 * most of the batched throughput.
 *
 * <p>One dispatcher thread takes the waiting calls, up to {@code maxBatch} texts, and embeds them in
 * one delegate call. While a batch runs, new calls queue, so under load batches form by themselves.
 * A call that finds the dispatcher idle is sent at once, unless the previous batch held several
 * calls (the server is busy): then the dispatcher lingers up to {@code maxWait} for more. A lone
 * call therefore waits for nothing, and no call waits longer than {@code maxWait} plus the batch
 * ahead of it.
 *
 * <p>Vectors are the delegate's (same id): a text gets the same vector in a batch as alone, as
 * {@link Embedder}'s contract requires of the delegate. A failed batch fails every call in it with
 * the delegate's exception. Thread-safe; {@link #close()} stops the dispatcher (waiting calls fail)
 * and closes the delegate, {@link #stop()} only stops the dispatcher.
 */
public final class MicroBatchingEmbedder implements Embedder {

  /** Default bound on how long a call may wait for others to join its batch. */
  public static final Duration DEFAULT_MAX_WAIT = Duration.ofMillis(2);
  /** Default bound on the texts of one delegate call. */
  public static final int DEFAULT_MAX_BATCH = 32;

  private final Embedder delegate;
  private final long maxWaitNanos;
  private final int maxBatch;
  private final LinkedBlockingDeque<Call> queue = new LinkedBlockingDeque<>();
  private final Thread dispatcher;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong texts = new AtomicLong();
  private volatile boolean closed;

  /**
   * @param maxWait longest a call lingers for others when the embedder is busy; zero never lingers
   * @param maxBatch most texts per delegate call (a single call with more is sent alone, whole)
   */
  public MicroBatchingEmbedder(Embedder delegate, Duration maxWait, int maxBatch) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    if (maxWait.isNegative() || maxWait.compareTo(Duration.ofSeconds(1)) > 0) {
      throw new CarrotException("embedding batch wait: " + maxWait.toMillis() + " ms; expected 0..1000 ms");
    }
    if (maxBatch < 1 || maxBatch > 4096) {
      throw new CarrotException("embedding max batch: " + maxBatch + "; expected 1..4096 texts");
    }
    this.maxWaitNanos = maxWait.toNanos();
    this.maxBatch = maxBatch;
    this.dispatcher = Thread.ofPlatform().daemon().name("carrot-embed-batch-" + delegate.id()).start(this::dispatch);
  }

  /** With {@link #DEFAULT_MAX_WAIT} and {@link #DEFAULT_MAX_BATCH}. */
  public MicroBatchingEmbedder(Embedder delegate) {
    this(delegate, DEFAULT_MAX_WAIT, DEFAULT_MAX_BATCH);
  }

  /** The wrapped embedder. */
  public Embedder delegate() {
    return delegate;
  }

  @Override
  public String id() {
    return delegate.id();
  }

  @Override
  public int dimension() {
    return delegate.dimension();
  }

  /** Delegate calls made so far. */
  public long batches() {
    return batches.get();
  }

  /** Texts embedded through delegate calls so far; {@code texts() / batches()} is the mean batch. */
  public long texts() {
    return texts.get();
  }

  /** Calls waiting for the batch in progress to finish. */
  public int waiting() {
    return queue.size();
  }

  @Override
  public float[][] embed(List<String> batch) {
    Objects.requireNonNull(batch, "texts");
    for (int i = 0; i < batch.size(); i++) {
      Texts.at(batch, i);
    }
    if (batch.isEmpty()) {
      return new float[0][];
    }
    Call call = new Call(List.copyOf(batch), new CompletableFuture<>());
    if (closed) {
      throw closedError();
    }
    queue.add(call);
    if (closed) { // close() may have drained the queue before this call was added
      call.result().completeExceptionally(closedError());
    }
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return call.result().get();
        } catch (InterruptedException e) {
          interrupted = true; // the batch runs anyway; answering is cheaper than abandoning it
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException re) {
            throw re;
          }
          throw new CarrotException("embedder " + id() + ": batch failed: " + e.getCause(), e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void dispatch() {
    int previousCalls = 0;
    while (!closed) {
      List<Call> calls = new ArrayList<>();
      try {
        Call first = queue.takeFirst();
        calls.add(first);
        int size = first.texts().size();
        long deadline = System.nanoTime() + (previousCalls > 1 ? maxWaitNanos : 0);
        while (size < maxBatch) {
          long left = deadline - System.nanoTime();
          Call next = left > 0 ? queue.pollFirst(left, TimeUnit.NANOSECONDS) : queue.pollFirst();
          if (next == null) {
            break;
          }
          if (size + next.texts().size() > maxBatch) {
            queue.offerFirst(next); // it starts the next batch
            break;
          }
          calls.add(next);
          size += next.texts().size();
        }
        previousCalls = calls.size();
        run(calls, size);
      } catch (InterruptedException e) {
        for (Call c : calls) {
          c.result().completeExceptionally(closedError());
        }
        break;
      }
    }
    failWaiting();
  }

  private void run(List<Call> calls, int size) {
    List<String> all = new ArrayList<>(size);
    for (Call c : calls) {
      all.addAll(c.texts());
    }
    float[][] vectors;
    try {
      vectors = delegate.embed(all);
      if (vectors.length != all.size()) {
        throw new CarrotException(
            "embedder " + delegate.id() + ": returned " + vectors.length + " vectors for " + all.size()
                + " texts; expected one per text");
      }
    } catch (RuntimeException e) {
      for (Call c : calls) {
        c.result().completeExceptionally(e);
      }
      return;
    }
    batches.incrementAndGet();
    texts.addAndGet(all.size());
    int at = 0;
    for (Call c : calls) {
      float[][] mine = new float[c.texts().size()][];
      System.arraycopy(vectors, at, mine, 0, mine.length);
      at += mine.length;
      c.result().complete(mine);
    }
  }

  private void failWaiting() {
    List<Call> left = new ArrayList<>();
    queue.drainTo(left);
    for (Call c : left) {
      c.result().completeExceptionally(closedError());
    }
  }

  private CarrotException closedError() {
    return new CarrotException("embedder " + id() + ": used after close()");
  }

  private record Call(List<String> texts, CompletableFuture<float[][]> result) {}

  /**
   * Stops the dispatcher (calls waiting fail, later calls are refused) without closing the delegate,
   * for a delegate that belongs to someone else.
   */
  public void stop() {
    if (closed) {
      return;
    }
    closed = true;
    dispatcher.interrupt();
    try {
      dispatcher.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    failWaiting();
  }

  /** {@link #stop()}, then closes the delegate. */
  @Override
  public void close() {
    stop();
    delegate.close();
  }

  @Override
  public String toString() {
    return "MicroBatchingEmbedder[" + delegate.id() + ", max batch " + maxBatch + "]";
  }
}
