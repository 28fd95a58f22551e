package io.carrot.api;

import io.carrot.testsupport.TinyRouter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.carrot.core.CarrotException;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.metrics.Point;
import io.carrot.core.route.BudgetCurve;
import io.carrot.core.route.BudgetPacer;
import io.carrot.core.route.Candidate;
import io.carrot.core.route.Decision;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.route.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CarrotRouterTest {
  private final CarrotRouter router = CarrotRouter.of(TinyRouter.router(), new TinyRouter.FakeEmbedder(), new TinyRouter.WordCounter());

  @Test
  void routesByTheRuleWithHandComputedCosts() {
    Decision d = router.route("math: 2+2", 0.3);
    assertThat(d.model()).isEqualTo("strong");
    assertThat(d.inputTokens()).isEqualTo(2);
    Candidate strong = d.candidates().get(0);
    Candidate cheap = d.candidates().get(1);
    assertThat(strong.costUsd()).isCloseTo(3.02e-3, within(1e-12));
    assertThat(cheap.costUsd()).isCloseTo(2.02e-5, within(1e-12));
    assertThat(strong.score()).isCloseTo(0.7 - 0.3 * TinyRouter.COST_SCALE * 3.02e-3, within(1e-12));
    assertThat(cheap.quality()).isZero();
    assertThat(router.route("math: 2+2", 0.5).model()).isEqualTo("strong");
    assertThat(router.route("math: 2+2", 0.501).model()).isEqualTo("cheap");
    // both right on chat: the cheaper one wins even at mu = 0 (tie on score, lower cost)
    assertThat(router.route("hello there", 0).model()).isEqualTo("cheap");
  }

  @Test
  void batchRoutingMatchesOneByOne() {
    List<String> prompts = List.of("math: 1+1", "hi", "more math please now", "tell me a story");
    List<Decision> batch = router.routeAll(prompts, RouteOptions.mu(0.2));
    assertThat(batch).extracting(Decision::model).containsExactly("strong", "cheap", "strong", "cheap");
    for (int i = 0; i < prompts.size(); i++) {
      assertThat(batch.get(i)).isEqualTo(router.route(prompts.get(i), 0.2));
    }
    assertThat(router.routeAll(List.of(), RouteOptions.mu(0.2))).isEmpty();
    assertThat(router.routeAll(prompts, RouteOptions.mu(0.2))).isEqualTo(batch);
  }

  @Test
  void allowAndDenyRestrictTheCandidates() {
    assertThat(router.route("math: 2+2", RouteOptions.mu(0).withDeny(Set.of("strong"))).candidates())
        .extracting(Candidate::model)
        .containsExactly("cheap");
    assertThat(router.route("math: 2+2", RouteOptions.mu(0.9).withAllow(Set.of("strong"))).model())
        .isEqualTo("strong");
    assertThatThrownBy(() -> router.route("x", RouteOptions.mu(0).withDeny(Set.of("gpt-9"))))
        .isInstanceOf(CarrotException.class)
        .hasMessage("unknown model 'gpt-9' in the deny list; the router knows [strong, cheap]");
    assertThatThrownBy(() -> router.route("x", RouteOptions.mu(0).withAllow(Set.of("gpt-9"))))
        .hasMessageContaining("unknown model 'gpt-9' in the allow list");
    assertThatThrownBy(() -> router.route("x", RouteOptions.mu(0).withDeny(Set.of("strong", "cheap"))))
        .hasMessageContaining("leaves no model");
  }

  /**
   * With a support section (the tiny training set: leave-one-out similarity 1/3 for every prompt, so
   * Q1 = fence = 1/3), each decision carries the prompt's support: a math prompt's 3 nearest have
   * mean similarity 2/3, above every training prompt's own (percentile 1, full weight).
   */
  @Test
  void decisionsCarryTheSupportOfTheirPrompt() {
    float[][] x = {{1, 0}, {1, 0}, {0, 1}, {0, 1}};
    double[][] q = {{1, 0}, {1, 0}, {1, 1}, {1, 1}};
    double[][] t = {{100, 50}, {100, 50}, {100, 100}, {100, 100}};
    var ts = new io.carrot.core.predict.TrainingSet(List.of("strong", "cheap"), x, q, t);
    CarrotRouter s = CarrotRouter.of(TinyRouter.router().withSupport(io.carrot.core.route.Support.fit(ts, 42)),
        new TinyRouter.FakeEmbedder(), new TinyRouter.WordCounter());
    Decision d = s.route("math: 2+2", 0);
    assertThat(d.support().similarity()).isCloseTo(2.0 / 3, within(1e-6));
    assertThat(d.support().percentile()).isEqualTo(1.0);
    assertThat(d.support().weight()).isEqualTo(1.0);
    assertThat(d.lowSupport()).isFalse();
    assertThat(DecisionJson.of(d).get("support").asDouble()).isEqualTo(1.0);
    assertThat(DecisionJson.of(d).get("low_support").asBoolean()).isFalse();
    assertThat(s.routeAll(List.of("math: 2+2", "hi"), RouteOptions.mu(0)))
        .containsExactly(d, s.route("hi", 0));
    assertThat(router.route("math: 2+2", 0).support()).isNull();
    assertThat(DecisionJson.of(router.route("math: 2+2", 0)).get("support").isNull()).isTrue();
  }

  @Test
  void costCeilingDropsExpensiveModelsAndKeepsTheCheapestWhenNoneFits() {
    Decision capped = router.route("math: 2+2", RouteOptions.mu(0).withMaxCostUsd(1e-3));
    assertThat(capped.model()).isEqualTo("cheap");
    assertThat(capped.candidates()).hasSize(1);
    Decision none = router.route("math: 2+2", RouteOptions.mu(0).withMaxCostUsd(1e-9));
    assertThat(none.candidates()).extracting(Candidate::model).containsExactly("cheap");
    assertThat(none.notes()).containsExactly("no model's predicted cost is within the ceiling of 1.0E-9 USD; chose the cheapest, cheap");
    Decision loose = router.route("math: 2+2", RouteOptions.mu(0).withMaxCostUsd(1));
    assertThat(loose.candidates()).extracting(Candidate::model).containsExactly("strong", "cheap");
  }

  @Test
  void qualityFloorPicksTheCheapestModelThatReachesIt() {
    // on math only strong reaches 0.8, even at mu = 1 where the rule alone picks cheap
    Decision math = router.route("math: 2+2", RouteOptions.mu(1).withMinQuality(0.8));
    assertThat(math.candidates()).extracting(Candidate::model).containsExactly("strong", "cheap");
    // on chat both reach it: the cheaper wins
    assertThat(router.route("hi", RouteOptions.mu(0).withMinQuality(0.8)).model()).isEqualTo("cheap");
    // a floor nobody reaches falls back to the best predicted quality
    Decision capped = router.route("math: 2+2", RouteOptions.mu(0).withMaxCostUsd(1e-3).withMinQuality(0.5));
    assertThat(capped.model()).isEqualTo("cheap");
    assertThat(capped.chosen().quality()).isLessThan(0.5);
    assertThat(capped.notes()).singleElement().satisfies(n -> assertThat(n)
        .startsWith("no model's predicted quality reaches the floor of 0.5; chose the best predicted, cheap ("));
    assertThat(DecisionJson.of(capped).get("notes").get(0).asText()).startsWith("no model's predicted quality");
    assertThat(math.notes()).isEmpty();
    assertThat(DecisionJson.of(math).has("notes")).isFalse();
  }

  @Test
  void listenersSeeEveryDecisionButNotCalibration() {
    List<String> seen = new ArrayList<>();
    CarrotRouter observed = router.withListener(d -> seen.add(d.model()));
    observed.route("math: 1", 0);
    observed.routeAll(List.of("hi", "math: 3"), RouteOptions.mu(0));
    observed.spendCurve(List.of("hi"), RouteOptions.mu(0), 3);
    assertThat(seen).containsExactly("strong", "cheap", "strong");
    router.route("math: 1", 0);
    assertThat(seen).hasSize(3);
  }

  @Test
  void newPricesChangeDecisionsWithoutRetraining() {
    CarrotRouter free = router.withPrices(router.router().prices().with(Map.of("strong", new ModelPrice(0, 0, "free"))));
    assertThat(router.route("math: 2+2", 0.9).model()).isEqualTo("cheap");
    assertThat(free.route("math: 2+2", 0.9).model()).isEqualTo("strong");
    assertThat(free.route("math: 2+2", 0.9).chosen().costUsd()).isZero();
  }

  @Test
  void spendCurveTurnsABudgetIntoMu() {
    // math goes to strong (3.02e-3) below mu 0.50002 and to cheap (2.02e-5) above; chat always to
    // cheap, with 100 output tokens: 4.02e-5
    SpendCurve curve = router.spendCurve(List.of("math: 2+2", "hi there"), RouteOptions.mu(0), 11);
    assertThat(curve.points()).extracting(Point::param).containsExactly(0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0);
    double high = (3.02e-3 + 4.02e-5) / 2;
    double low = (2.02e-5 + 4.02e-5) / 2;
    assertThat(curve.points().get(5).cost()).isCloseTo(high, within(1e-12));
    assertThat(curve.points().get(6).cost()).isCloseTo(low, within(1e-12));
    assertThat(curve.points().get(0).quality()).isEqualTo(1.0);
    assertThat(curve.points().get(10).quality()).isEqualTo(0.5);
    assertThat(curve.muFor(1000 * high)).isZero();
    assertThat(curve.muFor(0.001)).isEqualTo(0.6);
    assertThat(curve.usdPer1000At(0.58)).isCloseTo(1000 * low, within(1e-9));
    // the same as a budget curve, e.g. for a pacer: budget 1 sends (1.5301 - 1) / (1.5301 - 0.0302) to mu = 0.6
    BudgetCurve.Setting s = curve.budgetCurve().setting(1.0);
    assertThat(s.muLow()).isZero();
    assertThat(s.muHigh()).isEqualTo(0.6);
    assertThat(s.shareHigh()).isCloseTo((1000 * high - 1) / (1000 * high - 1000 * low), within(1e-9));
    assertThatThrownBy(() -> curve.muFor(-1)).hasMessageContaining("got -1.0");
    assertThatThrownBy(() -> router.spendCurve(List.of(), RouteOptions.mu(0), 11)).hasMessageContaining("sample prompt");
  }

  @Test
  void aBudgetMixesTwoMuPerPromptByTheHashOfItsText() {
    // stored curve for math traffic: strong (3.02e-3) at mu = 0, cheap (2.02e-5) at 0.6
    Router withCurve = TinyRouter.router().withBudgetCurve(new BudgetCurve(new double[] {0, 0.6}, new double[] {3.02e-3, 2.02e-5}));
    CarrotRouter b = CarrotRouter.of(withCurve, new TinyRouter.FakeEmbedder(), new TinyRouter.WordCounter());
    BudgetCurve.Setting s = b.router().requireBudgetCurve().setting(1.52);
    assertThat(s.muLow()).isZero();
    assertThat(s.muHigh()).isEqualTo(0.6);
    assertThat(s.shareHigh()).isCloseTo(1.5 / 2.9998, within(1e-12));
    // SHA-256 hashes: "math: 2+2" 0.903, "math: 3+3" 0.622, "math: 4+4" 0.219, "math: 6+6" 0.450
    List<String> prompts = List.of("math: 2+2", "math: 3+3", "math: 4+4", "math: 6+6");
    List<Decision> ds = b.routeAll(prompts, RouteOptions.mu(0).withBudget(1.52));
    assertThat(ds).extracting(Decision::model).containsExactly("strong", "strong", "cheap", "cheap");
    assertThat(ds).extracting(Decision::mu).containsExactly(0.0, 0.0, 0.6, 0.6);
    assertThat(b.route("math: 4+4", RouteOptions.mu(0).withBudget(1.52)).mu()).isEqualTo(0.6);
    // the other knobs still apply on top; a later mu replaces the budget
    assertThat(b.route("math: 4+4", RouteOptions.mu(0).withBudget(1.52).withDeny(Set.of("cheap"))).model()).isEqualTo("strong");
    assertThat(RouteOptions.mu(0).withBudget(1.52).withMu(0.2).hasBudget()).isFalse();
    assertThat(b.route("math: 4+4", RouteOptions.mu(0.7).withBudget(100)).mu()).isZero();

    assertThatThrownBy(() -> router.route("math: 4+4", RouteOptions.mu(0).withBudget(1.52)))
        .hasMessageContaining("a budget needs the spend curve that 'carrot train' stores");
    assertThatThrownBy(() -> RouteOptions.mu(0).withBudget(-1))
        .hasMessage("budget must be a number of USD per 1000 requests > 0, got -1.0");
  }

  @Test
  void aPacerCorrectsTheSettingByTheRealCostsRecorded() {
    // the curve of the test above: a fresh pacer at 1.52 sends a share 1.5 / 2.9998 = 0.50003 of
    // prompts (hash below it) to mu = 0.6, like the fixed setting
    Router withCurve = TinyRouter.router().withBudgetCurve(new BudgetCurve(new double[] {0, 0.6}, new double[] {3.02e-3, 2.02e-5}));
    CarrotRouter b = CarrotRouter.of(withCurve, new TinyRouter.FakeEmbedder(), new TinyRouter.WordCounter());
    BudgetPacer pacer = b.pacer(1.52);
    assertThat(pacer.next()).isEqualTo(b.router().requireBudgetCurve().setting(1.52));
    assertThat(b.route("math: 3+3", RouteOptions.mu(0), pacer).model()).isEqualTo("strong"); // hash 0.622
    assertThat(b.route("math: 6+6", RouteOptions.mu(0), pacer).mu()).isEqualTo(0.6); // hash 0.450
    // one answer that really cost 1000 output tokens of strong: 0.03 USD, 28.48 per 1000 over the
    // budget, paid back over 25 requests: target 1.52 - 28.48 / 25 = 0.3808, share (3.02 - 0.3808) / 2.9998
    double usd = b.costUsd("strong", 0, 1000);
    assertThat(usd).isCloseTo(0.03, within(1e-15));
    pacer.record(usd);
    assertThat(pacer.targetUsdPer1000()).isCloseTo(0.3808, within(1e-12));
    assertThat(pacer.next().shareHigh()).isCloseTo((3.02 - 0.3808) / 2.9998, within(1e-9));
    Decision paced = b.route("math: 3+3", RouteOptions.mu(0), pacer);
    assertThat(paced.mu()).isEqualTo(0.6);
    assertThat(paced.model()).isEqualTo("cheap");
    assertThat(b.route("math: 2+2", RouteOptions.mu(0), pacer).model()).isEqualTo("strong"); // hash 0.903
    // the other knobs apply on top of the paced mu
    assertThat(b.route("math: 3+3", RouteOptions.mu(0).withDeny(Set.of("cheap")), pacer).model()).isEqualTo("strong");
    assertThat(pacer.requests()).isEqualTo(1);
    assertThat(pacer.spentUsdPer1000()).isCloseTo(30, within(1e-9));
    assertThat(b.costUsd("cheap", 1000, 1000)).isCloseTo(5e-4, within(1e-15));

    assertThatThrownBy(() -> router.pacer(1.52)).hasMessageContaining("a budget needs the spend curve that 'carrot train' stores");
    assertThatThrownBy(() -> b.pacer(0)).hasMessage("budget must be a number of USD per 1000 requests > 0, got 0.0");
    // options that carry the pacer's own budget are fine; another budget is a mistake
    assertThat(b.route("math: 3+3", RouteOptions.mu(0).withBudget(1.52), pacer)).isEqualTo(paced);
    assertThatThrownBy(() -> b.route("math: 3+3", RouteOptions.mu(0).withBudget(2), pacer))
        .hasMessage("options set a budget of 2.0 USD per 1000 requests and the pacer holds 1.52: "
            + "route with the pacer (a live stream with real costs) or the budget (a fixed setting)");
    assertThatThrownBy(() -> b.costUsd("gpt-9", 1, 1)).hasMessageContaining("model 'gpt-9' is missing from the price table");
    assertThatThrownBy(() -> b.costUsd("cheap", -1, 1)).hasMessage("token counts must be >= 0, got -1 input and 1 output");
  }

  @Test
  void raisingMuNeverRaisesSpendAndTheChoiceIsAlwaysAllowed() {
    Random rnd = new Random(42);
    for (int trial = 0; trial < 200; trial++) {
      String prompt = (rnd.nextBoolean() ? "math " : "chat ") + "w ".repeat(rnd.nextInt(2000));
      Set<String> deny = rnd.nextInt(4) == 0 ? Set.of(rnd.nextBoolean() ? "strong" : "cheap") : Set.of();
      double previous = Double.POSITIVE_INFINITY;
      for (int s = 0; s <= 20; s++) {
        Decision d = router.route(prompt, RouteOptions.mu(s / 20.0).withDeny(deny));
        assertThat(deny).doesNotContain(d.model());
        assertThat(d.chosen().costUsd()).isLessThanOrEqualTo(previous);
        previous = d.chosen().costUsd();
      }
    }
  }

  @Test
  void optionsRejectBadKnobsNamingTheValue() {
    assertThatThrownBy(() -> RouteOptions.mu(1.5)).hasMessage("mu must be in [0, 1], got 1.5");
    assertThatThrownBy(() -> RouteOptions.mu(Double.NaN)).hasMessage("mu must be in [0, 1], got NaN");
    assertThatThrownBy(() -> RouteOptions.mu(0).withMaxCostUsd(0))
        .hasMessage("maxCostUsd must be > 0 USD (Infinity for no ceiling), got 0.0");
    assertThatThrownBy(() -> RouteOptions.mu(0).withMinQuality(1.2))
        .hasMessage("minQuality must be in [0, 1] (0 for no floor), got 1.2");
    assertThatThrownBy(() -> RouteOptions.mu(0).withAllow(Set.of("a")).withDeny(Set.of("a")))
        .hasMessageContaining("[a] are both allowed and denied");
  }

  @Test
  void rejectsAnEmbedderOfTheWrongDimension() {
    TinyRouter.FakeEmbedder threeD =
        new TinyRouter.FakeEmbedder() {
          @Override
          public int dimension() {
            return 3;
          }
        };
    assertThatThrownBy(() -> CarrotRouter.of(TinyRouter.router(), threeD, new TinyRouter.WordCounter()))
        .hasMessageContaining("gives 3-d vectors but the router was trained on 2-d vectors from 'fake-2d'");
  }
}
