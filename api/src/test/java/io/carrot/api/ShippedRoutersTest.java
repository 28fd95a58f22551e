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
      // prompts is flagged and routed by the priors; one of its own training questions is covered
      // better. (Its learned weight is low even there: on the static vectors a held-out source's
      // prompts look as close as a seen one's, so the curve trusts neighbours little; docs/ROUTER.md.)
      Decision haiku = fast.route("Write a haiku about autumn", 0.0);
      assertThat(haiku.lowSupport()).isTrue();
      assertThat(haiku.support().weight()).isZero();
      Decision own = fast.route(firstTrainingQuestion(), 0.0);
      assertThat(own.support().percentile()).isGreaterThan(0.25);
      assertThat(own.support().weight()).isGreaterThan(haiku.support().weight());
    }
    try (CarrotRouter dflt = CarrotRouter.loadDefault()) {
      Decision own = dflt.route(firstTrainingQuestion(), 0.0);
      assertThat(own.lowSupport()).isFalse();
      assertThat(own.support().weight()).isGreaterThan(0.9);
    }
  }

  /** The first zeroeval prompt (a GSM8K training prompt) without ZeroEval's template, as the routers were trained on it. */
  private static String firstTrainingQuestion() throws Exception {
    Path data = Path.of("..", "data", "zeroeval", "prompts.jsonl.gz");
    try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(
        new java.util.zip.GZIPInputStream(java.nio.file.Files.newInputStream(data)),
        java.nio.charset.StandardCharsets.UTF_8))) {
      String prompt = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in.readLine()).get("prompt").asText();
      return prompt.substring(0, prompt.indexOf("## Instruction")).replace("## Question:", "").strip();
    }
  }

  @Test
  void anUnknownShippedNameIsNamed() {
    assertThatThrownBy(() -> CarrotRouter.loadShipped("turbo"))
        .hasMessage("shipped router: 'turbo' is unknown; expected one of [default, fast]");
    assertThat(CarrotRouter.hasShipped("turbo")).isFalse();
  }
}
