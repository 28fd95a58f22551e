package io.carrot.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.core.CarrotException;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LongTextStrategyTest {

  private static int[] range(int n) {
    return IntStream.range(0, n).toArray();
  }

  @Test
  void shortTextIsOneWindowForEveryStrategy() {
    for (LongTextStrategy s : LongTextStrategy.values()) {
      List<int[]> w = s.windows(range(5), 5);
      assertThat(w).hasSize(1);
      assertThat(w.get(0)).containsExactly(0, 1, 2, 3, 4);
    }
    assertThat(LongTextStrategy.HEAD_TAIL.windows(new int[0], 5).get(0)).isEmpty();
  }

  @Test
  void headTailAndHeadTail() {
    assertThat(LongTextStrategy.HEAD.windows(range(10), 4)).singleElement()
        .satisfies(w -> assertThat(w).containsExactly(0, 1, 2, 3));
    assertThat(LongTextStrategy.TAIL.windows(range(10), 4)).singleElement()
        .satisfies(w -> assertThat(w).containsExactly(6, 7, 8, 9));
    List<int[]> ht = LongTextStrategy.HEAD_TAIL.windows(range(10), 4);
    assertThat(ht).hasSize(2);
    assertThat(ht.get(0)).containsExactly(0, 1, 2, 3);
    assertThat(ht.get(1)).containsExactly(6, 7, 8, 9);
  }

  @Test
  void spliceJoinsTheHeadAndTailHalvesIntoOneWindow() {
    assertThat(LongTextStrategy.SPLICE.windows(range(10), 4)).singleElement()
        .satisfies(w -> assertThat(w).containsExactly(0, 1, 8, 9));
    assertThat(LongTextStrategy.SPLICE.windows(range(10), 5)).singleElement()
        .satisfies(w -> assertThat(w).containsExactly(0, 1, 7, 8, 9));
    assertThat(LongTextStrategy.parse("splice")).isEqualTo(LongTextStrategy.SPLICE);
  }

  @Test
  void chunkMeanSplitsIntoNearEqualChunks() {
    List<int[]> w = LongTextStrategy.CHUNK_MEAN.windows(range(10), 4);
    assertThat(w).hasSize(3);
    assertThat(w.get(0)).containsExactly(0, 1, 2, 3);
    assertThat(w.get(1)).containsExactly(4, 5, 6);
    assertThat(w.get(2)).containsExactly(7, 8, 9);
  }

  @Test
  void chunkMeanKeepsHeadAndTailChunksBeyondTheCap() {
    List<int[]> w = LongTextStrategy.CHUNK_MEAN.windows(range(100), 2);
    assertThat(w).hasSize(LongTextStrategy.MAX_CHUNKS);
    assertThat(w.get(0)).containsExactly(0, 1);
    assertThat(w.get(7)).containsExactly(14, 15);
    assertThat(w.get(8)).containsExactly(84, 85);
    assertThat(w.get(15)).containsExactly(98, 99);
  }

  @Test
  void parse() {
    assertThat(LongTextStrategy.parse("head-tail")).isEqualTo(LongTextStrategy.HEAD_TAIL);
    assertThat(LongTextStrategy.parse("CHUNK_MEAN")).isEqualTo(LongTextStrategy.CHUNK_MEAN);
    assertThat(LongTextStrategy.HEAD_TAIL.id()).isEqualTo("head-tail");
    assertThatThrownBy(() -> LongTextStrategy.parse("middle"))
        .isInstanceOf(CarrotException.class)
        .hasMessageContaining("middle")
        .hasMessageContaining("head-tail");
  }
}
