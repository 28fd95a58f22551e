package io.carrot.core.predict.blend;

import static org.assertj.core.api.Assertions.assertThat;

import io.carrot.core.predict.ConstantPredictor;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlendFitterTest {
  @Test
  void simplexGridAndHandComputedBlend() {
    assertThat(BlendFitter.simplex(3, 2)).hasSize(6);
    assertThat(BlendFitter.simplex(2, 4)).hasSize(5).first().satisfies(w -> assertThat(w).containsExactly(1.0, 0.0));
    // part A predicts 1.0, part B predicts 0.0 for model "a"; truth averages 0.25 -> weight 0.25 on A
    List<String> models = List.of("a", "b");
    Predictor one = new ConstantPredictor(models, 2, new double[] {1, 1}, new double[] {10, 10});
    Predictor zero = new ConstantPredictor(models, 2, new double[] {0, 0}, new double[] {30, 30});
    float[][] e = {{1, 0}, {0, 1}, {1, 0}, {0, 1}};
    double[][] q = {{1, 0}, {0, 0}, {0, 1}, {0, 1}};
    double[][] t = {{10, 30}, {10, 30}, {10, 30}, {10, 30}};
    BlendPredictor b = BlendFitter.fit("x", List.of(one, zero), new TrainingSet(models, e, q, t), 100);
    assertThat(b.qualityWeights()[0]).containsExactly(0.25, 0.5);
    assertThat(b.tokenWeights()[0]).containsExactly(1.0, 0.0);
    assertThat(b.predict(new float[] {1, 0}).quality()).containsExactly(0.25, 0.5);
    assertThat(b.predict(new float[] {1, 0}).outputTokens()).containsExactly(10.0, 30.0);
  }
}
