package io.carrot.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.carrot.core.curve.EvalSet;
import io.carrot.core.curve.RouterSweep;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.eval.EvalReport.BudgetKnob;
import io.carrot.core.eval.EvalReport.BudgetRow;
import io.carrot.core.eval.EvalReport.CalibrationResult;
import io.carrot.core.eval.EvalReport.FloorRow;
import io.carrot.core.predict.ConstantPredictor;
import io.carrot.core.predict.Prediction;
import io.carrot.core.route.BudgetCurve;
import io.carrot.core.route.Provenance;
import io.carrot.core.route.Router;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Four prompts, two models; every number below is worked out by hand. "cheap" costs $0.001 a
 * prompt, "dear" $0.01 (1000 output tokens at 1 and 10 USD per million); cost scale 100, so
 * prompt i moves from dear to cheap when {@code mu / (1 - mu) > (q_dear - q_cheap) / 0.9}: prompt 0
 * at mu 0.0526, 3 at 0.1818, 1 at 0.2174, 2 at 0.3333.
 */
class KnobChecksTest {
  static final List<String> MODELS = List.of("cheap", "dear");
  static final double[][] PREDICTED = {{0.9, 0.95}, {0.6, 0.85}, {0.3, 0.75}, {0.2, 0.4}};
  static final double[][] OBSERVED = {{1, 1}, {0, 1}, {0, 0}, {0, 1}};
  static final List<String> PROMPTS = List.of("p0", "p1", "p2", "p3");

  final EvalSet set = evalSet();
  final Prediction[] predictions = predictions();
  final RouterSweep sweep = new RouterSweep(set, router(), predictions);

  static EvalSet evalSet() {
    double[][] cost = new double[4][];
    double[][] in = new double[4][];
    double[][] out = new double[4][];
    for (int i = 0; i < 4; i++) {
      cost[i] = new double[] {0.001, 0.01};
      in[i] = new double[] {0, 0};
      out[i] = new double[] {1000, 1000};
    }
    return new EvalSet(MODELS, PROMPTS, OBSERVED, cost, in, out);
  }

  static Prediction[] predictions() {
    return IntStream.range(0, 4).mapToObj(i -> new Prediction(PREDICTED[i], new double[] {1000, 1000})).toArray(Prediction[]::new);
  }

  static Router router() {
    PriceTable prices = new PriceTable(Map.of("cheap", new ModelPrice(0, 1, "test"), "dear", new ModelPrice(0, 10, "test")));
    Provenance prov = new Provenance("hand", "0", 0, "none", "none", 42, "test", "2025-01-01T00:00:00Z", Map.of());
    return new Router(new ConstantPredictor(MODELS, 1, new double[] {0.5, 0.5}, new double[] {1000, 1000}), prices, 100, prov);
  }

  @Test
  void calibrationOfAllPairsOfTheChosenModelAndPerModel() {
    CalibrationResult c = KnobChecks.calibration("router", "hand", set, sweep, predictions);
    // bins 9 (.9, .95 vs 1, 1), 6, 8, 3, 7, 2, 4 hold one pair each:
    // (2 * .075 + .6 + .15 + .3 + .75 + .2 + .6) / 8
    assertThat(c.allPairs().ece()).isCloseTo(2.75 / 8, offset(1e-12));
    assertThat(c.allPairs().n()).isEqualTo(8);
    // at mu = 0 dear is chosen everywhere: .95, .85, .75, .4 against 1, 1, 0, 1
    assertThat(c.chosenMu0().ece()).isCloseTo((0.05 + 0.15 + 0.75 + 0.6) / 4, offset(1e-12));
    assertThat(c.chosenMu0().meanPredicted()).isCloseTo(0.7375, offset(1e-12));
    assertThat(c.chosenMu0().meanObserved()).isEqualTo(0.75);
    assertThat(c.perModel().keySet()).containsExactly("cheap", "dear");
    assertThat(c.perModel().get("cheap").ece()).isCloseTo((0.1 + 0.6 + 0.3 + 0.2) / 4, offset(1e-12));
    assertThat(c.perModel().get("cheap").brier()).isCloseTo((0.01 + 0.36 + 0.09 + 0.04) / 4, offset(1e-12));
  }

  @Test
  void floorsPickTheCheapestModelThatClearsAndReportTheCleared() {
    List<FloorRow> rows = KnobChecks.floors(set, sweep, 1000, 42);
    assertThat(rows).extracting(FloorRow::floor).containsExactly(0.5, 0.6, 0.7, 0.8, 0.9);
    // 0.5: cheap, cheap, dear (.75), and dear (.4) as the fallback of prompt 3
    FloorRow half = rows.get(0);
    assertThat(half.cleared()).isEqualTo(3);
    assertThat(half.clearedShare()).isEqualTo(0.75);
    assertThat(half.meanPredicted()).isCloseTo(0.75, offset(1e-12));
    assertThat(half.meanRealized()).isCloseTo(1.0 / 3, offset(1e-12));
    assertThat(half.meanCostCleared()).isCloseTo(0.004, offset(1e-15));
    assertThat(half.meanCostAll()).isCloseTo(0.0055, offset(1e-15));
    assertThat(half.meanQualityAll()).isEqualTo(0.5);
    // realized {1, 0, 0}: P(all ones) = 1/27 > 2.5%, P(all zeros) = 8/27
    assertThat(half.realizedCi()).isEqualTo(new EvalReport.Interval(0, 1));
    // 0.8: cheap (.9) and dear (.85) clear; prompts 2 and 3 fall back to dear
    FloorRow high = rows.get(3);
    assertThat(high.cleared()).isEqualTo(2);
    assertThat(high.meanPredicted()).isCloseTo(0.875, offset(1e-12));
    assertThat(high.meanRealized()).isEqualTo(1.0);
    assertThat(high.meanCostCleared()).isCloseTo(0.0055, offset(1e-15));
    assertThat(high.meanCostAll()).isCloseTo(0.00775, offset(1e-15));
    assertThat(high.meanQualityAll()).isEqualTo(0.75);
    assertThat(high.realizedCi()).isEqualTo(new EvalReport.Interval(1, 1));
    // 0.9 is inclusive: cheap's .9 clears on prompt 0
    assertThat(rows.get(4).cleared()).isEqualTo(1);
    assertThat(rows.get(4).meanCostCleared()).isCloseTo(0.001, offset(1e-15));
    assertThat(KnobChecks.floors(set, sweep, 0, 42).get(0).realizedCi()).isNull();
  }

  @Test
  void budgetTargetsAreMetInExpectationAndEachPromptFollowsItsHash() {
    // the test set's own spend at mu 0, .1, .3, 1 (per prompt): 10, 7.75, 3.25, 1 per 1000
    BudgetCurve curve = new BudgetCurve(new double[] {0, 0.1, 0.3, 1}, new double[] {0.01, 0.00775, 0.00325, 0.001});
    BudgetKnob knob = KnobChecks.budget(set, PROMPTS, sweep, curve, "hand", 200, 42);
    assertThat(knob.minUsdPer1000()).isEqualTo(1.0);
    assertThat(knob.maxUsdPer1000()).isEqualTo(10.0);
    assertThat(knob.rows()).hasSize(7);
    // 7 targets strictly inside [1, 10]: 10^(1/8), ..., 10^(7/8)
    assertThat(knob.rows().get(0).targetUsdPer1000()).isCloseTo(Math.pow(10, 1.0 / 8), offset(1e-12));
    assertThat(knob.rows().get(3).targetUsdPer1000()).isCloseTo(Math.sqrt(10), offset(1e-12));
    assertThat(knob.rows().get(6).targetUsdPer1000()).isCloseTo(Math.pow(10, 7.0 / 8), offset(1e-12));
    for (BudgetRow r : knob.rows()) {
      // the curve is this set's own: in expectation every target is hit exactly
      assertThat(r.testExpectedUsdPer1000()).as("target %s", r.targetUsdPer1000()).isCloseTo(r.targetUsdPer1000(), offset(1e-9));
      assertThat(r.validationUsdPer1000()).isCloseTo(r.targetUsdPer1000(), offset(1e-9));
    }
    // 10^(5/8) = 4.22 lies between mu .1 (7.75) and .3 (3.25)
    BudgetRow mid = knob.rows().get(4);
    assertThat(mid.muLow()).isEqualTo(0.1);
    assertThat(mid.muHigh()).isEqualTo(0.3);
    double share = (7.75 - mid.targetUsdPer1000()) / 4.5;
    assertThat(mid.shareHigh()).isCloseTo(share, offset(1e-12));
    // per prompt: cheap at mu .3 except prompt 2; at mu .1 only prompt 0 is cheap
    double spend = 0;
    for (int i = 0; i < 4; i++) {
      boolean high = BudgetCurve.uniform(PROMPTS.get(i)) < share;
      boolean cheap = i == 0 || (high && i != 2);
      spend += cheap ? 1 : 10;
    }
    assertThat(mid.testUsdPer1000()).isCloseTo(spend / 4, offset(1e-9));
    // four prompts at $1 or $10 per 1000: the interval spans the resampled means
    assertThat(mid.testCi().lo()).isLessThanOrEqualTo(mid.testUsdPer1000());
    assertThat(mid.testCi().hi()).isGreaterThanOrEqualTo(mid.testUsdPer1000());
    assertThat(mid.testCi().hi()).isGreaterThan(mid.testCi().lo());
    // 10^(6/8) = 5.62 and 10^(7/8) = 7.50 also lie between mu .1 (7.75) and .3; 10^(2/8) = 1.78 between .3 and 1
    assertThat(knob.rows().get(6).muLow()).isEqualTo(0.1);
    assertThat(knob.rows().get(6).muHigh()).isEqualTo(0.3);
    assertThat(knob.rows().get(1).muLow()).isEqualTo(0.3);
    assertThat(knob.rows().get(1).muHigh()).isEqualTo(1.0);
    // paced over 20 orders of the four prompts: each order's spend is a mean of four $1 or $10 costs
    for (BudgetRow r : knob.rows()) {
      assertThat(r.pacedOrders()).isEqualTo(20);
      assertThat(r.pacedWorstAbsRelativeError()).isGreaterThanOrEqualTo(Math.abs(r.pacedRelativeError()) - 1e-12);
      double quarters = r.pacedTestUsdPer1000() * 4 * 20; // sum over orders of 4-prompt totals, each a sum of 1s and 10s
      assertThat(quarters % 9).isCloseTo((4 * 20) % 9, offset(1e-6));
    }
    assertThat(KnobChecks.budget(set, PROMPTS, sweep, curve, "hand", 0, 42).rows().get(0).testCi()).isNull();
    // the single nearest mu (.3, spend 3.25) misses by 30%
    assertThat(mid.nearestMu()).isEqualTo(0.3);
    assertThat(mid.nearestTestUsdPer1000()).isCloseTo(3.25, offset(1e-12));
    assertThat(mid.nearestRelativeError()).isCloseTo(3.25 / mid.targetUsdPer1000() - 1, offset(1e-12));
  }

  @Test
  void targetsOfAFlatCurveAreOne() {
    assertThat(KnobChecks.targets(2, 2)).containsExactly(2.0);
    // a curve reaching 0: targets start from a thousandth of the top
    assertThat(KnobChecks.targets(0, 5)[0]).isCloseTo(0.005 * Math.pow(1000, 1.0 / 8), offset(1e-12));
  }
}
