package io.carrot.core.eval;

import io.carrot.core.eval.EvalReport.BudgetKnob;
import io.carrot.core.eval.EvalReport.BudgetRow;
import io.carrot.core.eval.EvalReport.CalibrationResult;
import io.carrot.core.eval.EvalReport.FloorRow;
import io.carrot.core.eval.EvalReport.Interval;
import io.carrot.core.metrics.Calibration;
import io.carrot.core.predict.Prediction;
import io.carrot.core.route.BudgetCurve;
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

  /** Budget targets, log-uniform over the spend curve's range, both ends included. */
  static final int BUDGET_TARGETS = 7;

  private KnobChecks() {}

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

  /** Budget targets over {@code [lo, hi]} USD per 1000 prompts: log-uniform, both ends included. */
  static double[] targets(double lo, double hi) {
    if (!(hi > lo * (1 + 1e-9))) {
      return new double[] {hi};
    }
    double from = lo > 0 ? lo : hi / 1000;
    double[] t = new double[BUDGET_TARGETS];
    for (int k = 0; k < t.length; k++) {
      t[k] = from * Math.pow(hi / from, (double) k / (t.length - 1));
    }
    t[0] = from;
    t[t.length - 1] = hi;
    return t;
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
      rows.add(new BudgetRow(target, s.muLow(), s.muHigh(), s.shareHigh(), s.expectedUsdPer1000(), 1000 * cost / n, ci,
          1000 * expected, quality / n, nearest, 1000 * nearestCost / n));
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
    return EvaluationHarness.percentile(means);
  }
}
