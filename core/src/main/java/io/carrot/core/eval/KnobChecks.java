package io.carrot.core.eval;

import io.carrot.core.CarrotException;
import io.carrot.core.curve.BudgetCurves;
import io.carrot.core.curve.ChoiceCurve;
import io.carrot.core.curve.EvalSet;
import io.carrot.core.curve.RouterSweep;
import io.carrot.core.eval.EvalReport.BudgetKnob;
import io.carrot.core.eval.EvalReport.BudgetRow;
import io.carrot.core.eval.EvalReport.CalibrationResult;
import io.carrot.core.eval.EvalReport.Deployment;
import io.carrot.core.eval.EvalReport.FloorRow;
import io.carrot.core.eval.EvalReport.Interval;
import io.carrot.core.metrics.Calibration;
import io.carrot.core.metrics.Point;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.calibration.CalibratedPredictor;
import io.carrot.core.route.BudgetCurve;
import io.carrot.core.route.BudgetPacer;
import io.carrot.core.route.Router;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What the user-facing knobs promise, checked on test: calibration of predicted quality (what a
 * decision shows), the budget knob (spend vs target) and the quality floor (realized vs promised
 * quality). Each knob is applied exactly as routing applies it ({@link BudgetCurve#setting},
 * {@link io.carrot.core.route.QualityFloor}).
 */
final class KnobChecks {
  /** The quality floors reported. */
  static final double[] FLOORS = {0.5, 0.6, 0.7, 0.8, 0.9};

  /** Budget targets, log-uniform inside the spend curve's range (its ends are not budgets: see {@link #targets}). */
  static final int BUDGET_TARGETS = 7;

  private KnobChecks() {}

  /** What the knob checks stage found. */
  record Knobs(Deployment deployment, List<CalibrationResult> calibration, BudgetKnob budget, List<FloorRow> floors) {}

  /**
   * The knob checks stage: the {@code --target-cost} deployment check (mu chosen on validation),
   * calibration of the router's predictions (and of its base predictor before a calibration map),
   * the budget knob against the router's spend curve (stored, else measured on validation) and the
   * quality floor, all on test.
   *
   * @param val complete validation prompts, or null
   * @param carrotCurve the router's mu curve on test (for the deployment check)
   */
  static Knobs run(
      Router router,
      String carrot,
      EvalSet val,
      float[][] vaE,
      EvalSet test,
      float[][] teE,
      List<String> testPrompts,
      Prediction[] pTest,
      ChoiceCurve carrotCurve,
      double[] mus,
      EvalOptions options,
      List<String> notes) {
    if (val == null && !Double.isNaN(options.targetCost())) {
      throw new CarrotException("the target-cost check picks mu on the validation split, but the dataset has none");
    }
    RouterSweep sweep = new RouterSweep(test, router, pTest);
    Prediction[] pVal = val == null ? null : router.predictor().predictAll(vaE);
    Deployment deployment = Double.isNaN(options.targetCost()) ? null : deploy(router, val, pVal, carrotCurve, mus, options.targetCost());
    List<CalibrationResult> calibration = new ArrayList<>();
    calibration.add(calibration("router", carrot + "'s predicted quality", test, sweep, pTest));
    if (router.predictor() instanceof CalibratedPredictor cp) {
      Prediction[] raw = cp.base().predictAll(teE);
      calibration.add(calibration("uncalibrated",
          "the same predictor before its isotonic calibration map (a " + cp.base().kind() + " predictor), routing on its own",
          test, new RouterSweep(test, router, raw), raw));
    }
    BudgetCurve curve = router.budgetCurve().orElse(null);
    String curveSource = "router file";
    if (curve == null && val != null) {
      curve = BudgetCurves.measure(val, router, pVal, BudgetCurves.STEPS);
      curveSource = "validation split";
    }
    BudgetKnob budget = null;
    if (curve == null) {
      notes.add("No budget knob table: the router has no stored spend curve and the dataset has no validation split to measure one.");
    } else if (!(curve.rangeUsdPer1000()[1] > 0)) {
      notes.add("No budget knob table: the router's spend curve (" + curveSource + ") is 0 at every mu, so there is no budget to hold it to.");
    } else {
      budget = budget(test, testPrompts, sweep, curve, curveSource, options.bootstrap(), options.seed());
    }
    List<FloorRow> floors = floors(test, sweep, options.bootstrap(), options.seed());
    return new Knobs(deployment, calibration, budget, floors);
  }

  private static Deployment deploy(Router router, EvalSet val, Prediction[] pVal, ChoiceCurve testCurve, double[] mus, double target) {
    RouterSweep vs = new RouterSweep(val, router, pVal);
    List<Point> vp = ChoiceCurve.of(val, "mu", mus, p -> vs.choices(mus[p])).points();
    int pick = 0;
    for (int p = 1; p < vp.size(); p++) {
      double e = Math.abs(vp.get(p).cost() - target);
      double be = Math.abs(vp.get(pick).cost() - target);
      if (e < be || (e == be && vp.get(p).quality() > vp.get(pick).quality())) {
        pick = p;
      }
    }
    return new Deployment(target, mus[pick], vp.get(pick), testCurve.points().get(pick));
  }

  /**
   * Calibration of {@code predictions} on {@code test}; the chosen models are {@code sweep}'s at
   * mu = 0 ({@code sweep} must route on the same predictions).
   */
  static CalibrationResult calibration(String name, String description, EvalSet test, RouterSweep sweep, Prediction[] predictions) {
    int n = test.size();
    double[][] q = new double[n][];
    for (int i = 0; i < n; i++) {
      q[i] = predictions[i].quality();
    }
    int[] chosen = sweep.choices(0);
    double[] cp = new double[n];
    double[] cy = new double[n];
    for (int i = 0; i < n; i++) {
      cp[i] = q[i][chosen[i]];
      cy[i] = test.quality()[i][chosen[i]];
    }
    Map<String, Calibration> perModel = new LinkedHashMap<>();
    for (int m = 0; m < test.modelCount(); m++) {
      perModel.put(test.models().get(m), Calibration.ofColumn(q, test.quality(), m));
    }
    return new CalibrationResult(name, description, Calibration.ofAll(q, test.quality()), Calibration.of(cp, cy), perModel);
  }

  /** Random orders of the test prompts over which {@link BudgetPacer pacing} is measured. */
  static final int PACING_ORDERS = 20;

  /**
   * Budget targets inside {@code (lo, hi)} USD per 1000 prompts: {@link #BUDGET_TARGETS} points
   * log-uniform strictly between the ends. The ends are not budgets: at or above the mu = 0 spend the
   * knob is mu = 0 whatever it costs, at or below the cheapest spend it is the cheapest mu.
   */
  static double[] targets(double lo, double hi) {
    if (!(hi > lo * (1 + 1e-9))) {
      return new double[] {hi};
    }
    double from = lo > 0 ? lo : hi / 1000;
    double[] t = new double[BUDGET_TARGETS];
    for (int k = 0; k < t.length; k++) {
      t[k] = from * Math.pow(hi / from, (k + 1.0) / (t.length + 1));
    }
    return t;
  }

  /**
   * Real spend per prompt (USD) when the test prompts arrive in the order given by {@code seed} and
   * a {@link BudgetPacer} holds them to {@code usdPer1000}, each prompt's real cost recorded after
   * its decision.
   */
  static double pacedSpend(EvalSet test, double[] u, BudgetCurve curve, double usdPer1000, Map<Double, int[]> choices,
      RouterSweep sweep, long seed) {
    int n = test.size();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    BudgetPacer pacer = new BudgetPacer(curve, usdPer1000);
    for (int i : order) {
      double mu = pacer.next().mu(u[i]);
      int c = choices.computeIfAbsent(mu, sweep::choices)[i];
      pacer.record(test.cost()[i][c]);
    }
    return pacer.spentUsdPer1000() / 1000;
  }

  /**
   * The budget knob on test: for each target, the setting the curve gives, the test spend when each
   * prompt takes the mu its text's hash picks (with a bootstrap interval from {@code resamples}
   * resamples of the test prompts; none when 0), and the spend of the single nearest mu for
   * comparison.
   */
  static BudgetKnob budget(
      EvalSet test, List<String> prompts, RouterSweep sweep, BudgetCurve curve, String source, int resamples, long seed) {
    int n = test.size();
    double[] u = new double[n];
    for (int i = 0; i < n; i++) {
      u[i] = BudgetCurve.uniform(prompts.get(i));
    }
    Map<Double, int[]> choices = new HashMap<>();
    double[] range = curve.rangeUsdPer1000();
    List<BudgetRow> rows = new ArrayList<>();
    for (double target : targets(range[0], range[1])) {
      BudgetCurve.Setting s = curve.setting(target);
      int[] lo = choices.computeIfAbsent(s.muLow(), sweep::choices);
      int[] hi = choices.computeIfAbsent(s.muHigh(), sweep::choices);
      double cost = 0;
      double quality = 0;
      double costLo = 0;
      double costHi = 0;
      double[] spend = new double[n];
      for (int i = 0; i < n; i++) {
        int c = s.mu(u[i]) == s.muHigh() ? hi[i] : lo[i];
        spend[i] = 1000 * test.cost()[i][c];
        cost += test.cost()[i][c];
        quality += test.quality()[i][c];
        costLo += test.cost()[i][lo[i]];
        costHi += test.cost()[i][hi[i]];
      }
      double expected = (1 - s.shareHigh()) * costLo / n + s.shareHigh() * costHi / n;
      double nearest = nearestMu(curve, target);
      int[] nc = choices.computeIfAbsent(nearest, sweep::choices);
      double nearestCost = 0;
      for (int i = 0; i < n; i++) {
        nearestCost += test.cost()[i][nc[i]];
      }
      Interval ci = resamples == 0 ? null : bootstrapMean(spend, resamples, seed);
      double pacedMean = 0;
      double pacedWorst = 0;
      for (int o = 0; o < PACING_ORDERS; o++) {
        double p = pacedSpend(test, u, curve, target, choices, sweep, seed * 7919 + o);
        pacedMean += 1000 * p / PACING_ORDERS;
        pacedWorst = Math.max(pacedWorst, Math.abs(1000 * p / target - 1));
      }
      rows.add(new BudgetRow(target, s.muLow(), s.muHigh(), s.shareHigh(), s.expectedUsdPer1000(), 1000 * cost / n, ci,
          1000 * expected, quality / n, nearest, 1000 * nearestCost / n, pacedMean, pacedWorst, PACING_ORDERS));
    }
    return new BudgetKnob(source, range[0], range[1], rows);
  }

  /** The grid mu whose curve spend is closest to {@code usdPer1000} (ties: the smaller mu): the knob without mixing. */
  static double nearestMu(BudgetCurve curve, double usdPer1000) {
    double target = usdPer1000 / 1000;
    double[] mu = curve.mu();
    double[] usd = curve.usdPerPrompt();
    int best = 0;
    for (int i = 1; i < mu.length; i++) {
      if (Math.abs(usd[i] - target) < Math.abs(usd[best] - target)) {
        best = i;
      }
    }
    return mu[best];
  }

  /**
   * The quality floor on test, one row per floor of {@link #FLOORS}; intervals from {@code
   * resamples} bootstrap resamples of the cleared prompts (none when 0).
   */
  static List<FloorRow> floors(EvalSet test, RouterSweep sweep, int resamples, long seed) {
    int n = test.size();
    List<FloorRow> rows = new ArrayList<>();
    for (double f : FLOORS) {
      int[] ch = sweep.floorChoices(f);
      List<Integer> cleared = new ArrayList<>();
      double costAll = 0;
      double qualityAll = 0;
      for (int i = 0; i < n; i++) {
        costAll += test.cost()[i][ch[i]];
        qualityAll += test.quality()[i][ch[i]];
        if (sweep.predictedQuality(i, ch[i]) >= f) {
          cleared.add(i);
        }
      }
      int k = cleared.size();
      double[] realized = new double[k];
      double pred = 0;
      double real = 0;
      double cost = 0;
      for (int j = 0; j < k; j++) {
        int i = cleared.get(j);
        realized[j] = test.quality()[i][ch[i]];
        pred += sweep.predictedQuality(i, ch[i]);
        real += realized[j];
        cost += test.cost()[i][ch[i]];
      }
      Interval ci = k == 0 || resamples == 0 ? null : bootstrapMean(realized, resamples, seed);
      rows.add(new FloorRow(f, k, (double) k / n, k == 0 ? Double.NaN : pred / k, k == 0 ? Double.NaN : real / k, ci,
          k == 0 ? Double.NaN : cost / k, costAll / n, qualityAll / n));
    }
    return rows;
  }

  /** Percentile interval of the mean of {@code v} (resample r seeded with {@code seed * 1000003 + r}). */
  static Interval bootstrapMean(double[] v, int resamples, long seed) {
    double[] means = new double[resamples];
    for (int r = 0; r < resamples; r++) {
      SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + r);
      double s = 0;
      for (int j = 0; j < v.length; j++) {
        s += v[rnd.nextInt(v.length)];
      }
      means[r] = s / v.length;
    }
    return BootstrapMetrics.percentile(means);
  }
}
