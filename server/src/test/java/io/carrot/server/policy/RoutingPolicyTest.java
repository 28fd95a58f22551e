package io.carrot.server.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.Predictor;
import io.carrot.core.route.Candidate;
import io.carrot.core.route.Decision;
import io.carrot.core.route.Provenance;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.route.Router;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

class RoutingPolicyTest {
  static final Provenance PROV = new Provenance("t", "0", 1, "e", "c", 42, "test", "2026-01-01T00:00:00Z", Map.of());
  static final DoubleUnaryOperator NO_PRESSURE = mu -> mu;

  /** A router over models m0..m(n-1) with output prices {@code out} (input price 0); predictions come with each call. */
  static Router router(double[] out) {
    List<String> names = new ArrayList<>();
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    for (int i = 0; i < out.length; i++) {
      names.add("m" + i);
      prices.put("m" + i, new ModelPrice(0, out[i], ""));
    }
    Predictor p = new Predictor() {
      public String kind() {
        return "none";
      }

      public List<String> models() {
        return names;
      }

      public int dimension() {
        return 1;
      }

      public Prediction predict(float[] e) {
        throw new UnsupportedOperationException();
      }

      public Map<String, Object> hyperParameters() {
        return Map.of();
      }
    };
    return new Router(p, new PriceTable(prices), 1000, PROV);
  }

  @Test
  void minQualityIsTheCheapestGoodEnoughThenTheBest() {
    // costs with 1000 output tokens: m0 0.03, m1 0.005, m2 0.001
    Router r = router(new double[] {30, 5, 1});
    RoutingPolicy p = new RoutingPolicy(r, Set.of("m0", "m1", "m2"), 0.1);
    Prediction pred = new Prediction(new double[] {0.9, 0.8, 0.4}, new double[] {1000, 1000, 1000});
    Routed ok = p.decide(new ModelSpec.MinQuality(0.7), pred, 0, NO_PRESSURE);
    assertThat(ok.decision().candidates()).extracting(Candidate::model).containsExactly("m1", "m0", "m2");
    assertThat(ok.constraintMet()).isTrue();
    assertThat(ok.decision().mu()).isEqualTo(0.1);
    Routed none = p.decide(new ModelSpec.MinQuality(0.95), pred, 0, NO_PRESSURE);
    assertThat(none.decision().candidates()).extracting(Candidate::model).containsExactly("m0", "m1", "m2");
    assertThat(none.constraintMet()).isFalse();
  }

  @Test
  void budgetIsTheSmallestMuUnderTheCap() {
    Router r = router(new double[] {30, 5, 1});
    RoutingPolicy p = new RoutingPolicy(r, Set.of("m0", "m1", "m2"), 0);
    Prediction pred = new Prediction(new double[] {0.9, 0.8, 0.4}, new double[] {1000, 1000, 1000});
    // cap 0.01 per request: m0 (0.03) is out; m0 = m1 at 0.9 (1 - mu) - 30 mu = 0.8 (1 - mu) - 5 mu  =>  mu = 0.1 / 25.1
    Routed d = p.decide(new ModelSpec.Budget(10), pred, 0, NO_PRESSURE);
    assertThat(d.decision().model()).isEqualTo("m1");
    assertThat(d.decision().mu()).isCloseTo(0.1 / 25.1, org.assertj.core.data.Offset.offset(1e-8));
    assertThat(d.constraintMet()).isTrue();
    // pressure raises the mu found
    Routed pressed = p.decide(new ModelSpec.Budget(10), pred, 0, mu -> 0.9);
    assertThat(pressed.decision().mu()).isEqualTo(0.9);
    assertThat(pressed.decision().model()).isEqualTo("m2");
    // only the allowed models count
    RoutingPolicy two = new RoutingPolicy(r, Set.of("m0", "m1"), 0);
    assertThat(two.decide(new ModelSpec.Budget(0.5), pred, 0, NO_PRESSURE).decision().candidates()).extracting(Candidate::model).containsExactly("m1", "m0");
  }

  /** Property: for random predictions the budget decision is under the cap whenever any model is, and no smaller mu would be. */
  @Test
  void budgetDecisionsAreMinimalAndUnderTheCap() {
    Random rnd = new Random(42);
    for (int trial = 0; trial < 300; trial++) {
      int m = 2 + rnd.nextInt(5);
      double[] out = new double[m];
      double[] q = new double[m];
      double[] t = new double[m];
      for (int i = 0; i < m; i++) {
        out[i] = Math.exp(rnd.nextGaussian() * 2);
        q[i] = rnd.nextDouble();
        t[i] = 10 + rnd.nextInt(2000);
      }
      Router r = router(out);
      Set<String> all = Set.copyOf(r.models());
      RoutingPolicy p = new RoutingPolicy(r, all, 0);
      Prediction pred = new Prediction(q, t);
      double cheapest = Double.MAX_VALUE;
      for (int i = 0; i < m; i++) {
        cheapest = Math.min(cheapest, out[i] * t[i] / 1e6);
      }
      double cap = cheapest * Math.exp(rnd.nextGaussian() * 2);
      Routed d = p.decide(new ModelSpec.Budget(cap * 1000), pred, 0, NO_PRESSURE);
      Decision chosen = d.decision();
      assertThat(chosen.candidates()).extracting(Candidate::model).allMatch(all::contains);
      if (cap >= cheapest) {
        assertThat(d.constraintMet()).isTrue();
        assertThat(chosen.chosen().costUsd()).isLessThanOrEqualTo(cap);
        if (chosen.mu() > 1e-6) {
          Decision below = r.decide(pred, 0, new RouteOptions(chosen.mu() - 1e-6, all));
          assertThat(below.chosen().costUsd()).isGreaterThan(cap);
        }
      } else {
        assertThat(d.constraintMet()).isFalse();
        assertThat(chosen.chosen().costUsd()).isEqualTo(r.decide(pred, 0, new RouteOptions(1, all)).chosen().costUsd());
      }
    }
  }
}
