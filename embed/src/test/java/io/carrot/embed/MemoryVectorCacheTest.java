package io.carrot.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.embed.CachingEmbedderTest.FakeEmbedder;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryVectorCacheTest {
  /** One 3-d vector counts 12 bytes of floats plus the overhead. */
  private static final long ENTRY = 12 + MemoryVectorCache.ENTRY_OVERHEAD;

  private static byte[] h(String text) {
    return EmbeddingCache.sha256(text);
  }

  private static float[] v(float x) {
    return new float[] {x, 0, 0};
  }

  @Test
  void dropsTheLeastRecentlyUsedVectorsToStayWithinItsBytes() {
    MemoryVectorCache c = new MemoryVectorCache(3 * ENTRY);
    c.putAll(new byte[][] {h("a"), h("b"), h("c")}, new float[][] {v(1), v(2), v(3)});
    assertThat(c.bytes()).isEqualTo(3 * ENTRY);
    assertThat(c.get(h("a"))).containsExactly(1, 0, 0); // a is now the most recently used
    c.putAll(new byte[][] {h("d")}, new float[][] {v(4)});
    assertThat(c.get(h("b"))).isNull();
    assertThat(c.get(h("a"))).containsExactly(1, 0, 0);
    assertThat(c.get(h("c"))).containsExactly(3, 0, 0);
    assertThat(c.get(h("d"))).containsExactly(4, 0, 0);
    assertThat(c.evictions()).isEqualTo(1);
    assertThat(c.size()).isEqualTo(3);
    assertThat(c.bytes()).isEqualTo(3 * ENTRY);
    c.putAll(new byte[][] {h("e"), h("f")}, new float[][] {v(5), v(6)});
    assertThat(c.get(h("a"))).isNull(); // a, c were the eldest after the reads of a, c, d above
    assertThat(c.get(h("c"))).isNull();
    assertThat(c.evictions()).isEqualTo(3);
  }

  @Test
  void storedVectorsAreCopiesAndAVectorLargerThanTheCacheIsNotKept() {
    MemoryVectorCache c = new MemoryVectorCache(ENTRY - 1);
    c.putAll(new byte[][] {h("a")}, new float[][] {v(1)});
    assertThat(c.size()).isZero();
    assertThat(c.evictions()).isEqualTo(1);
    MemoryVectorCache d = new MemoryVectorCache(10 * ENTRY);
    float[] row = v(1);
    d.putAll(new byte[][] {h("a")}, new float[][] {row});
    row[0] = 9;
    float[] got = d.get(h("a"));
    got[1] = 9;
    assertThat(d.get(h("a"))).containsExactly(1, 0, 0);
    assertThatThrownBy(() -> d.putAll(new byte[][] {h("b")}, new float[][] {{1, 0}}))
        .hasMessageContaining("length 2; expected 3");
    assertThatThrownBy(() -> d.get(new byte[3])).hasMessageContaining("expected 32");
    assertThatThrownBy(() -> new MemoryVectorCache(0)).hasMessageContaining("expected at least 1");
  }

  @Test
  void aCachingEmbedderInMemoryCountsHitsMissesAndEvictions() {
    FakeEmbedder fake = new FakeEmbedder("fake/v1");
    try (CachingEmbedder c = CachingEmbedder.inMemory(fake, 2 * ENTRY)) {
      c.embed(List.of("a", "b"));
      assertThat(c.embed("a")).containsExactly(FakeEmbedder.vector("fake/v1", "a"));
      c.embed("c"); // evicts b, the least recently used
      c.embed("b");
      assertThat(fake.calls).containsExactly(List.of("a", "b"), List.of("c"), List.of("b"));
      assertThat(c.hits()).isEqualTo(1);
      assertThat(c.misses()).isEqualTo(4);
      assertThat(c.evictions()).isEqualTo(2);
      assertThat(c.cache().bytes()).isEqualTo(2 * ENTRY);
    }
  }
}
