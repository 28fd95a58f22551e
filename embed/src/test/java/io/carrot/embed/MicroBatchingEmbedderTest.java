package io.carrot.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.carrot.core.CarrotException;
import io.carrot.core.embed.Embedder;
import io.carrot.embed.CachingEmbedderTest.FakeEmbedder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class MicroBatchingEmbedderTest {

  /** A fake whose first call blocks until released, so that the calls behind it queue up. */
  static final class GatedEmbedder implements Embedder {
    final FakeEmbedder inner = new FakeEmbedder("gated/v1");
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    volatile boolean first = true;

    @Override
    public String id() {
      return inner.id();
    }

    @Override
    public int dimension() {
      return inner.dimension();
    }

    @Override
    public float[][] embed(List<String> texts) {
      if (first) {
        first = false;
        entered.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return inner.embed(texts);
    }
  }

  @Test
  void concurrentCallsGetTheVectorsOfOneByOneCallsAndShareBatches() throws Exception {
    GatedEmbedder gated = new GatedEmbedder();
    try (MicroBatchingEmbedder b = new MicroBatchingEmbedder(gated, Duration.ZERO, 64);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<float[][]> blocker = pool.submit(() -> b.embed(List.of("first")));
      gated.entered.await();
      List<Future<float[][]>> queued = new ArrayList<>();
      List<List<String>> asked = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        List<String> texts = i % 3 == 0 ? List.of("p" + i, "q" + i) : List.of("p" + i);
        asked.add(texts);
        queued.add(pool.submit(() -> b.embed(texts)));
      }
      while (queuedCalls(b) < 20) {
        Thread.onSpinWait();
      }
      gated.release.countDown();
      assertThat(blocker.get()[0]).containsExactly(FakeEmbedder.vector("gated/v1", "first"));
      for (int i = 0; i < 20; i++) {
        float[][] got = queued.get(i).get();
        assertThat(got).hasNumberOfRows(asked.get(i).size());
        for (int t = 0; t < got.length; t++) {
          assertThat(got[t]).containsExactly(FakeEmbedder.vector("gated/v1", asked.get(i).get(t)));
        }
      }
      // the 20 calls (27 texts) that queued behind the first went to the delegate together
      assertThat(gated.inner.calls).hasSize(2);
      assertThat(gated.inner.calls.get(1)).hasSize(27);
      assertThat(b.batches()).isEqualTo(2);
      assertThat(b.texts()).isEqualTo(28);
    }
  }

  private static int queuedCalls(MicroBatchingEmbedder b) {
    return b.waiting();
  }

  @Test
  void batchesStopAtMaxBatchWithoutSplittingACall() throws Exception {
    GatedEmbedder gated = new GatedEmbedder();
    try (MicroBatchingEmbedder b = new MicroBatchingEmbedder(gated, Duration.ZERO, 4);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<float[][]> blocker = pool.submit(() -> b.embed(List.of("first")));
      gated.entered.await();
      List<Future<float[][]>> queued = new ArrayList<>();
      for (List<String> texts : List.of(List.of("a", "b", "c"), List.of("d", "e"), List.of("f"), List.of("g", "h", "i", "j", "k"))) {
        queued.add(pool.submit(() -> b.embed(texts)));
        while (b.waiting() < queued.size()) {
          Thread.onSpinWait();
        }
      }
      gated.release.countDown();
      blocker.get();
      for (Future<float[][]> f : queued) {
        f.get();
      }
      assertThat(gated.inner.calls).containsExactly(
          List.of("first"), List.of("a", "b", "c"), List.of("d", "e", "f"), List.of("g", "h", "i", "j", "k"));
    }
  }

  @Test
  void aLoneCallDoesNotWaitForTheBound() {
    FakeEmbedder fake = new FakeEmbedder("fake/v1");
    // a bound of a second per call would make these 100 sequential calls take 100 s
    try (MicroBatchingEmbedder b = new MicroBatchingEmbedder(fake, Duration.ofSeconds(1), 32)) {
      assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
        for (int i = 0; i < 100; i++) {
          assertThat(b.embed("x" + i)).containsExactly(FakeEmbedder.vector("fake/v1", "x" + i));
        }
      });
      assertThat(b.batches()).isEqualTo(100);
    }
  }

  @Test
  void aFailedBatchFailsEveryCallInItAndTheNextBatchWorks() {
    FakeEmbedder fake = new FakeEmbedder("flaky/v1");
    Embedder failing = new Embedder() {
      @Override
      public String id() {
        return fake.id();
      }

      @Override
      public int dimension() {
        return 3;
      }

      @Override
      public float[][] embed(List<String> texts) {
        if (texts.contains("bad")) {
          throw new CarrotException("upstream said no");
        }
        return fake.embed(texts);
      }
    };
    try (MicroBatchingEmbedder b = new MicroBatchingEmbedder(failing, Duration.ZERO, 8)) {
      assertThatThrownBy(() -> b.embed(List.of("ok", "bad"))).isInstanceOf(CarrotException.class).hasMessage("upstream said no");
      assertThat(b.embed("ok")).containsExactly(FakeEmbedder.vector("flaky/v1", "ok"));
    }
  }

  @Test
  void rejectsBadSettingsAndUseAfterClose() {
    FakeEmbedder fake = new FakeEmbedder("fake/v1");
    assertThatThrownBy(() -> new MicroBatchingEmbedder(fake, Duration.ofMillis(-1), 8))
        .hasMessageContaining("expected 0..1000 ms");
    assertThatThrownBy(() -> new MicroBatchingEmbedder(fake, Duration.ZERO, 0))
        .hasMessageContaining("expected 1..4096 texts");
    MicroBatchingEmbedder b = new MicroBatchingEmbedder(fake, Duration.ZERO, 8);
    assertThat(b.id()).isEqualTo("fake/v1");
    assertThat(b.embed(List.of())).isEmpty();
    b.close();
    assertThatThrownBy(() -> b.embed("x")).hasMessage("embedder fake/v1: used after close()");
  }
}
