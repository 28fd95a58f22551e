package io.carrot.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.core.route.Decision;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ShippedRoutersTest {

  @Test
  void theFastRouterIsShippedBesideTheDefaultAndRoutesWithTheStaticEmbedder() {
    assertThat(CarrotRouter.hasShipped("fast")).isTrue();
    try (CarrotRouter fast = CarrotRouter.load(Path.of("fast"))) {
      assertThat(fast.router().provenance().embedderId()).isEqualTo("static-minilm-256");
      assertThat(fast.embedder().id()).isEqualTo("static-minilm-256");
      assertThat(fast.models()).isEqualTo(CarrotRouter.readShipped("default").models());
      Decision d = fast.route("What is the value of i^i?", 0.0);
      assertThat(fast.models()).contains(d.model());
      assertThat(d.candidates()).hasSize(fast.models().size());
    }
  }

  @Test
  void anUnknownShippedNameIsNamed() {
    assertThatThrownBy(() -> CarrotRouter.loadShipped("turbo"))
        .hasMessage("shipped router: 'turbo' is unknown; expected one of [default, fast]");
    assertThat(CarrotRouter.hasShipped("turbo")).isFalse();
  }
}
