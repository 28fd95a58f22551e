package io.carrot.core.curve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.metrics.Point;
import io.carrot.core.predict.Prediction;
import io.carrot.core.route.Provenance;
import io.carrot.core.route.Router;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterSweepTest {
  // 3 prompts x 2 models (strong "s", weak "w"); true cost given directly
  static final EvalSet SET =
      new EvalSet(
          List.of("s", "w"),
          List.of("p1", "p2", "p3"),
          new double[][] {{1, 1}, {1, 0}, {0, 0}},
          new double[][] {{10, 1}, {10, 1}, {10, 1}},
          new double[][] {{0, 0}, {0, 0}, {0, 0}},
          new double[][] {{100, 50}, {100, 50}, {100, 50}});

  @Test
  void bestSingleAndOracleByHand() {
    assertThat(SET.models().get(Baselines.bestSingle(SET))).isEqualTo("s");
    assertThat(SET.meanQuality(0)).isCloseTo(2.0 / 3, org.assertj.core.data.Offset.offset(1e-12));
    Point o = Baselines.oracle(SET);
    // p1: both right -> cheaper w (1); p2: s (10); p3: both wrong -> cheaper w (1)
    assertThat(o.quality()).isCloseTo(2.0 / 3, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(o.cost()).isCloseTo(4.0, org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void sweepRealizesTrueCostAndQuality() {
    Map<String, ModelPrice> pr = new LinkedHashMap<>();
    pr.put("s", new ModelPrice(0, 100_000, ""));
    pr.put("w", new ModelPrice(0, 1_000, ""));
    Router router =
        new Router(
            io.carrot.core.route.RouterTest.fixedPredictor(List.of("s", "w")),
            new PriceTable(pr),
            1,
            new Provenance("t", "0", 1, "e", "c", 42, "v", "t", Map.of()));
    Prediction[] preds = {
      new Prediction(new double[] {0.9, 0.8}, new double[] {100, 50}),
      new Prediction(new double[] {0.9, 0.1}, new double[] {100, 50}),
      new Prediction(new double[] {0.2, 0.1}, new double[] {100, 50})
    };
    RouterSweep sweep = new RouterSweep(SET, router, preds);
    // mu = 0: s everywhere
    assertThat(sweep.at(0)).isEqualTo(new Point(0, 10, 2.0 / 3));
    // predicted cost s = 100*0.1 = 10, w = 50*0.001 = 0.05; at mu = 0.01 gains of s: 0.099*... compute:
    // p1: s 0.99*0.9-0.01*10=0.791, w 0.99*0.8-0.0005=0.7915 -> w ; p2: s 0.791 vs w 0.0985 -> s ; p3: s 0.098 vs w 0.0985 -> w
    Point p = sweep.at(0.01);
    assertThat(p.cost()).isCloseTo(4.0, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(p.quality()).isCloseTo(2.0 / 3, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(sweep.at(1)).isEqualTo(new Point(1, 1, 1.0 / 3));
    assertThat(sweep.frontier(4)).hasSize(5);
    assertThat(sweep.outputTokenMae()).isEqualTo(0.0);
  }

  @Test
  void modelMismatchIsClear() {
    Map<String, ModelPrice> pr = new LinkedHashMap<>();
    pr.put("x", new ModelPrice(0, 1, ""));
    pr.put("w", new ModelPrice(0, 1, ""));
    Router router =
        new Router(io.carrot.core.route.RouterTest.fixedPredictor(List.of("x", "w")), new PriceTable(pr), 1,
            new Provenance("t", "0", 1, "e", "c", 42, "v", "t", Map.of()));
    assertThatThrownBy(() -> new RouterSweep(SET, router, new Prediction[3]))
        .hasMessageContaining("trained on models [x, w] but the dataset has [s, w]");
  }
}
