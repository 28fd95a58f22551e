package io.carrot.embed;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Cl100kTokenCounterTest {

  private final Cl100kTokenCounter counter = new Cl100kTokenCounter();

  @Test
  void knownCounts() {
    assertThat(counter.id()).isEqualTo("cl100k_base");
    assertThat(counter.count("")).isZero();
    assertThat(counter.count("hello world")).isEqualTo(2);
    assertThat(counter.count("The quick brown fox jumps over the lazy dog.")).isEqualTo(10);
    // "tiktoken is great!" -> tik|token| is| great|! in cl100k_base.
    assertThat(counter.count("tiktoken is great!")).isEqualTo(6);
  }

  @Test
  void specialTokenTextIsCountedAsPlainText() {
    // As one special token it would be 1; as text it is several ordinary tokens, and no exception.
    assertThat(counter.count("<|endoftext|>")).isGreaterThan(1);
  }
}
