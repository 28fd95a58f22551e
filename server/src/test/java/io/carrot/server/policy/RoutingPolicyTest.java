package io.carrot.server.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.Predictor;
import io.carrot.core.route.BudgetCurve;
import io.carrot.core.route.Candidate;
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
  static final Pacers NONE = Pacers.none("no curve");

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
    RoutingPolicy p = new RoutingPolicy(r, Set.of("m0", "m1", "m2"), 0.1, NONE);
    Prediction pred = new Prediction(new double[] {0.9, 0.8, 0.4}, new double[] {1000, 1000, 1000});
    Routed ok = p.decide(new ModelSpec.MinQuality(0.7), "x", "k", pred, null, 0, NO_PRESSURE);
    assertThat(ok.decision().candidates()).extracting(Candidate::model).containsExactly("m1", "m0", "m2");
    assertThat(ok.constraintMet()).isTrue();
    assertThat(ok.decision().mu()).isEqualTo(0.1);
    Routed none = p.decide(new ModelSpec.MinQuality(0.95), "x", "k", pred, null, 0, NO_PRESSURE);
    assertThat(none.decision().candidates()).extracting(Candidate::model).containsExactly("m0", "m1", "m2");
    assertThat(none.constraintMet()).isFalse();
  }

  @Test
  void maxCostIsTheRuleAmongTheModelsUnderTheCap() {
    // costs with 1000 output tokens: m0 0.03, m1 0.005, m2 0.001
    Router r = router(new double[] {30, 5, 1});
    RoutingPolicy p = new RoutingPolicy(r, Set.of("m0", "m1", "m2"), 0, NONE);
    Prediction pred = new Prediction(new double[] {0.9, 0.8, 0.4}, new double[] {1000, 1000, 1000});
    // cap 0.01: m0 is out, the rule at mu = 0 ranks the rest
    Routed d = p.decide(new ModelSpec.MaxCost(0.01), "x", "k", pred, null, 0, NO_PRESSURE);
    assertThat(d.policy()).isEqualTo("max-cost");
    assertThat(d.decision().candidates()).extracting(Candidate::model).containsExactly("m1", "m2");
    assertThat(d.decision().mu()).isZero();
    assertThat(d.constraintMet()).isTrue();
    // pressure raises the default mu, as for a plain request
    Routed pressed = p.decide(new ModelSpec.MaxCost(0.01), "x", "k", pred, null, 0, mu -> 0.9);
    assertThat(pressed.decision().mu()).isEqualTo(0.9);
    assertThat(pressed.decision().model()).isEqualTo("m2");
    // nobody under the cap: the cheapest alone, flagged
    Routed none = p.decide(new ModelSpec.MaxCost(0.0005), "x", "k", pred, null, 0, NO_PRESSURE);
    assertThat(none.decision().candidates()).extracting(Candidate::model).containsExactly("m2");
    assertThat(none.constraintMet()).isFalse();
    assertThat(none.decision().notes()).containsExactly("no model's predicted cost is within the ceiling of 5.0E-4 USD; chose the cheapest, m2");
    // only the allowed models count
    RoutingPolicy two = new RoutingPolicy(r, Set.of("m0", "m1"), 0, NONE);
    assertThat(two.decide(new ModelSpec.MaxCost(0.0005), "x", "k", pred, null, 0, NO_PRESSURE).decision().model()).isEqualTo("m1");
  }

  /** Property: the max-cost choice is an allowed candidate under the cap whenever any is, and the rule's best of those. */
  @Test
  void maxCostDecisionsAreTheBestUnderTheCap() {
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
      double mu = rnd.nextDouble();
      RoutingPolicy p = new RoutingPolicy(r, all, mu, NONE);
      Prediction pred = new Prediction(q, t);
      double cheapest = Double.MAX_VALUE;
      for (int i = 0; i < m; i++) {
        cheapest = Math.min(cheapest, out[i] * t[i] / 1e6);
      }
      double cap = cheapest * Math.exp(rnd.nextGaussian() * 2);
      Routed d = p.decide(new ModelSpec.MaxCost(cap), "x", "k", pred, null, 0, NO_PRESSURE);
      Candidate chosen = d.decision().chosen();
      assertThat(d.decision().candidates()).extracting(Candidate::model).allMatch(all::contains);
      if (cap >= cheapest) {
        assertThat(d.constraintMet()).isTrue();
        assertThat(d.decision().candidates()).allMatch(c -> c.costUsd() <= cap);
        for (Candidate c : r.decide(pred, 0, RouteOptions.mu(mu).withAllow(all)).candidates()) {
          if (c.costUsd() <= cap) {
            assertThat(chosen.score()).isGreaterThanOrEqualTo(c.score());
          }
        }
      } else {
        assertThat(d.constraintMet()).isFalse();
        assertThat(chosen.costUsd()).isEqualTo(cheapest, org.assertj.core.data.Offset.offset(1e-15));
      }
    }
  }

  @Test
  void aBudgetRoutesAtThePacedMuOfThePromptAndPressureGoesOnTop() {
    // costs with 1000 output tokens: m0 0.03, m1 0.001; the curve says mu = 0 spends 30 per 1000 and mu = 1 spends 1
    Router r = router(new double[] {30, 1});
    Pacers pacers = Pacers.over(new BudgetCurve(new double[] {0, 1}, new double[] {0.030, 0.001}));
    RoutingPolicy p = new RoutingPolicy(r, Set.of("m0", "m1"), 0, pacers);
    Prediction pred = new Prediction(new double[] {0.9, 0.4}, new double[] {1000, 1000});
    // budget 15.5: a share (30 - 15.5) / 29 = 0.5 of prompts to mu = 1; "a" hashes to 0.79, "b" to 0.24
    assertThat(BudgetCurve.uniform("a")).isGreaterThan(0.5);
    assertThat(BudgetCurve.uniform("b")).isLessThan(0.5);
    Routed a = p.decide(new ModelSpec.Budget(15.5), "a", "k", pred, null, 0, NO_PRESSURE);
    assertThat(a.policy()).isEqualTo("budget");
    assertThat(a.decision().mu()).isZero();
    assertThat(a.decision().model()).isEqualTo("m0");
    assertThat(a.pacer()).isSameAs(pacers.get("k", 15.5));
    assertThat(a.recordsTo()).isSameAs(a.pacer());
    assertThat(p.decide(new ModelSpec.Budget(15.5), "b", "k", pred, null, 0, NO_PRESSURE).decision().model()).isEqualTo("m1");
    // the stream overspent (30 per 1000 on one request, 14.5 over): the target drops to 15.5 - 14.5 / 25 = 14.92,
    // a share (30 - 14.92) / 29 = 0.52 to mu = 1, still below "a"'s hash
    a.recordsTo().record(0.030);
    assertThat(pacers.get("k", 15.5).targetUsdPer1000()).isCloseTo(14.92, org.assertj.core.data.Offset.offset(1e-9));
    // another key's stream is its own
    assertThat(pacers.get("other", 15.5).requests()).isZero();
    // the daily budget's pressure applies on top of the paced mu; such a request is not recorded
    Routed pressed = p.decide(new ModelSpec.Budget(15.5), "a", "k", pred, null, 0, mu -> mu + (1 - mu) * 0.5);
    assertThat(pressed.decision().mu()).isEqualTo(0.5);
    assertThat(pressed.pressed()).isTrue();
    assertThat(pressed.recordsTo()).isNull();
  }
}
