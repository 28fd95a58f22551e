package io.carrot.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.core.route.Decision;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ShippedRoutersTest {

  @Test
  void theFastRouterIsShippedBesideTheDefaultAndRoutesWithTheStaticEmbedder() throws Exception {
    assertThat(CarrotRouter.hasShipped("fast")).isTrue();
    try (CarrotRouter fast = CarrotRouter.load(Path.of("fast"))) {
      assertThat(fast.router().provenance().embedderId()).isEqualTo("static-minilm-256");
      assertThat(fast.embedder().id()).isEqualTo("static-minilm-256");
      assertThat(fast.models()).isEqualTo(CarrotRouter.readShipped("default").models());
      Decision d = fast.route("What is the value of i^i?", 0.0);
      assertThat(fast.models()).contains(d.model());
      assertThat(d.candidates()).hasSize(fast.models().size());
      // The fast router carries a support section too: a request far from its math/code training
      // prompts is flagged, one of its own training prompts is not.
      assertThat(fast.route("Write a haiku about autumn", 0.0).lowSupport()).isTrue();
      assertThat(fast.route(firstTrainingPrompt(), 0.0).lowSupport()).isFalse();
    }
  }

  private static String firstTrainingPrompt() throws Exception {
    Path data = Path.of("..", "data", "zeroeval", "prompts.jsonl.gz");
    try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(
        new java.util.zip.GZIPInputStream(java.nio.file.Files.newInputStream(data)),
        java.nio.charset.StandardCharsets.UTF_8))) {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(in.readLine()).get("prompt").asText();
    }
  }

  @Test
  void anUnknownShippedNameIsNamed() {
    assertThatThrownBy(() -> CarrotRouter.loadShipped("turbo"))
        .hasMessage("shipped router: 'turbo' is unknown; expected one of [default, fast]");
    assertThat(CarrotRouter.hasShipped("turbo")).isFalse();
  }
}
