package io.carrot.server.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.server.ApiError;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelSpecTest {
  static final List<String> UPSTREAMS = List.of("gpt-4o", "local");

  @Test
  void parsesEveryForm() {
    assertThat(ModelSpec.parse("carrot", UPSTREAMS)).isInstanceOfSatisfying(ModelSpec.Mu.class, m -> assertThat(m.isDefault()).isTrue());
    assertThat(ModelSpec.parse("carrot:mu=0.2", UPSTREAMS)).isEqualTo(new ModelSpec.Mu(0.2));
    assertThat(ModelSpec.parse("carrot:mu=1", UPSTREAMS)).isEqualTo(new ModelSpec.Mu(1));
    assertThat(ModelSpec.parse("carrot:budget=1.5", UPSTREAMS)).isEqualTo(new ModelSpec.Budget(1.5));
    assertThat(ModelSpec.parse("carrot:max-cost=0.002", UPSTREAMS)).isEqualTo(new ModelSpec.MaxCost(0.002));
    assertThat(ModelSpec.parse("carrot:min-quality=0.8", UPSTREAMS)).isEqualTo(new ModelSpec.MinQuality(0.8));
    assertThat(ModelSpec.parse("local", UPSTREAMS)).isEqualTo(new ModelSpec.Passthrough("local"));
  }

  @Test
  void refusesWithA400NamingTheProblem() {
    assertThatThrownBy(() -> ModelSpec.parse("carrot:mu", UPSTREAMS))
        .isInstanceOf(ApiError.class)
        .hasMessage("model 'carrot:mu': expected carrot:KNOB=VALUE with KNOB one of mu, budget, max-cost, min-quality");
    assertThatThrownBy(() -> ModelSpec.parse("carrot:mu=-0.1", UPSTREAMS)).hasMessage("model 'carrot:mu=-0.1': mu must be in [0, 1], got -0.1");
    assertThatThrownBy(() -> ModelSpec.parse("carrot:mu=NaN", UPSTREAMS)).hasMessage("model 'carrot:mu=NaN': mu must be a number, got 'NaN'");
    assertThatThrownBy(() -> ModelSpec.parse("carrot:budget=0", UPSTREAMS)).hasMessageContaining("budget must be a number of USD per 1000 requests > 0, got 0");
    assertThatThrownBy(() -> ModelSpec.parse("carrot:budget=Infinity", UPSTREAMS)).hasMessage("model 'carrot:budget=Infinity': budget must be a number, got 'Infinity'");
    assertThatThrownBy(() -> ModelSpec.parse("carrot:max-cost=-0.01", UPSTREAMS))
        .hasMessage("model 'carrot:max-cost=-0.01': max-cost must be a number of USD per request > 0, got -0.01");
    assertThatThrownBy(() -> ModelSpec.parse("carrot:min-quality=2", UPSTREAMS)).hasMessage("model 'carrot:min-quality=2': min-quality must be in [0, 1], got 2");
    assertThatThrownBy(() -> ModelSpec.parse("Carrot", UPSTREAMS))
        .isInstanceOfSatisfying(ApiError.class, e -> {
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.code()).isEqualTo("model_not_found");
        });
  }
}
