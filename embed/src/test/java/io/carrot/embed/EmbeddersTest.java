package io.carrot.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.core.CarrotException;
import io.carrot.core.embed.Embedder;
import org.junit.jupiter.api.Test;

class EmbeddersTest {

  private static String idOf(String name) {
    try (Embedder e = Embedders.create(name)) {
      return e.id();
    }
  }

  @Test
  void defaultIsInt8MiniLmHeadTail256() {
    assertThat(Embedders.DEFAULT).isEqualTo("minilm-q"); // chosen by the rule in docs/ROUTER.md
    assertThat(idOf("minilm-q")).isEqualTo("all-minilm-l6-v2-q/head-tail-256");
    assertThat(idOf("minilm")).isEqualTo("all-minilm-l6-v2/head-tail-256");
  }

  @Test
  void suffixSyntaxAndIds() {
    assertThat(idOf("minilm-q")).isEqualTo("all-minilm-l6-v2-q/head-tail-256");
    assertThat(idOf("minilm-q:head-128")).isEqualTo("all-minilm-l6-v2-q/head-128");
    assertThat(idOf("minilm-q:chunk-mean-256")).isEqualTo("all-minilm-l6-v2-q/chunk-mean-256");
    assertThat(idOf("minilm-q:tail")).isEqualTo("all-minilm-l6-v2-q/tail-256");
    assertThat(idOf("all-minilm-l6-v2-q/head-tail-64")).isEqualTo("all-minilm-l6-v2-q/head-tail-64");
  }

  @Test
  void twelveLayerEncoderNamesAndIds() {
    assertThat(idOf("bge-small-q")).isEqualTo("bge-small-en-v1.5-q/head-tail-256");
    assertThat(idOf("e5-small-q:head-128")).isEqualTo("e5-small-v2-q/head-128");
    assertThat(idOf("bge-small-en-v1.5-q/tail-64")).isEqualTo("bge-small-en-v1.5-q/tail-64");
    assertThat(idOf("e5-small-v2-q/head-tail-256")).isEqualTo("e5-small-v2-q/head-tail-256");
  }

  @Test
  void openAiNames() {
    assertThat(idOf("openai:text-embedding-3-small")).isEqualTo("openai/text-embedding-3-small");
    try (Embedder e = Embedders.create("openai:nomic-embed-text@http://localhost:11434/v1")) {
      assertThat(e.id()).isEqualTo("openai/nomic-embed-text@localhost:11434");
      assertThat(((OpenAiEmbedder) e).endpoint())
          .hasToString("http://localhost:11434/v1/embeddings");
    }
  }

  @Test
  void unknownNamesListTheValidOnes() {
    for (String bad : new String[] {"bert", "minilm:middle-10", "minilm:head-x", "openai:", "", "minilm:head-9999"}) {
      assertThatThrownBy(() -> Embedders.create(bad))
          .as(bad)
          .isInstanceOf(CarrotException.class)
          .hasMessageContaining(bad.equals("minilm:head-9999") ? "3..512" : "minilm-q");
    }
  }
}
