package io.carrot.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.eval.EvalReport.Interval;
import io.carrot.core.eval.EvalReport.RouterResult;
import io.carrot.core.eval.EvalReport;
import io.carrot.core.files.Json;
import io.carrot.core.metrics.Calibration;
import io.carrot.core.metrics.MetricFormulas;
import io.carrot.core.metrics.RouterMetrics;
import java.util.Map;

/**
 * {@code metrics.json}: the contract other tools read. Stable keys (never renamed; new keys may be
 * added): {@code dataset}, {@code n_test}, {@code best_single {model, quality, cost}}, {@code oracle
 * {quality, cost}}, {@code routers {NAME: {auc, aiq, apgr, cpt50, cpt80,
 * cost_fraction_to_match_best, quality_at_cost_fraction {"0.1", "0.2", "0.3"}, accuracy_mu0}}}.
 * Costs are mean USD per prompt on the test split; a number that does not exist is {@code null}.
 * {@code version} counts incompatible changes. Added since version 1 without a version change (new
 * keys only): {@code calibration}, {@code budget_knob}, {@code min_quality_knob}, {@code
 * cross_validation} (null without {@code --folds}) and {@code leave_one_source_out} (empty without
 * {@code --leave-out-source}).
 */
public final class MetricsJson {
  /** Format version of metrics.json. */
  public static final int VERSION = 1;

  private MetricsJson() {}

  public static ObjectNode of(EvalReport r) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("version", VERSION);
    root.put("dataset", r.dataset());
    root.put("n_test", r.nTest());
    ObjectNode best = root.putObject("best_single");
    EvalReport.SingleModel b = r.singles().stream().filter(s -> s.model().equals(r.bestSingle())).findFirst().orElseThrow();
    best.put("model", b.model());
    num(best, "quality", b.quality());
    num(best, "cost", b.cost());
    interval(best, "quality_ci95", r.bestSingleQualityCi());
    ObjectNode oracle = root.putObject("oracle");
    num(oracle, "quality", r.oracle().quality());
    num(oracle, "cost", r.oracle().cost());
    interval(oracle, "quality_ci95", r.oracleQualityCi());
    ObjectNode routers = root.putObject("routers");
    for (RouterResult rr : r.routers().values()) {
      routers.set(rr.name(), router(rr));
    }

    root.put("carrot_router", r.carrot());
    root.put("dataset_sha256", r.datasetSha256());
    root.put("n_train", r.nTrain());
    root.put("n_validation", r.nValidation());
    root.put("embedder", r.embedderId());
    root.set("router", Json.MAPPER.valueToTree(r.routerInfo()));
    ObjectNode singles = root.putObject("single_models");
    for (EvalReport.SingleModel s : r.singles()) {
      ObjectNode o = singles.putObject(s.model());
      num(o, "quality", s.quality());
      num(o, "cost", s.cost());
    }
    ObjectNode anchors = root.putObject("anchors");
    num(anchors, "aiq_cost_min", r.anchors().costMin());
    num(anchors, "aiq_cost_max", r.anchors().costMax());
    num(anchors, "pgr_weak_cost", r.anchors().weakCost());
    num(anchors, "pgr_weak_quality", r.anchors().weakQuality());
    num(anchors, "pgr_strong_cost", r.anchors().bestCost());
    num(anchors, "pgr_strong_quality", r.anchors().bestQuality());
    ArrayNode diffs = root.putArray("differences");
    for (EvalReport.Difference d : r.differences()) {
      ObjectNode o = diffs.addObject();
      o.put("router", d.router());
      o.put("baseline", d.baseline());
      o.put("metric", d.metric());
      num(o, "estimate", d.estimate());
      interval(o, "ci95", d.ci());
    }
    ObjectNode mae = root.putObject("output_token_mae");
    r.outputTokenMae().forEach((k, v) -> num(mae, k, v));
    ObjectNode sel = root.putObject("selection_share");
    ArrayNode mu = sel.putArray("mu");
    for (double m : r.selection().mu()) {
      mu.add(m);
    }
    ObjectNode byModel = sel.putObject("models");
    for (int m = 0; m < r.selection().models().size(); m++) {
      ArrayNode a = byModel.putArray(r.selection().models().get(m));
      for (double v : r.selection().share()[m]) {
        a.add(v);
      }
    }
    if (r.deployment() == null) {
      root.putNull("deployment");
    } else {
      ObjectNode dep = root.putObject("deployment");
      num(dep, "target_cost", r.deployment().targetCost());
      num(dep, "mu", r.deployment().mu());
      num(dep, "validation_cost", r.deployment().validation().cost());
      num(dep, "validation_quality", r.deployment().validation().quality());
      num(dep, "test_cost", r.deployment().test().cost());
      num(dep, "test_quality", r.deployment().test().quality());
    }
    root.set("calibration", calibration(r));
    root.set("budget_knob", budget(r.budgetKnob()));
    ArrayNode floors = root.putArray("min_quality_knob");
    for (EvalReport.FloorRow f : r.qualityFloor()) {
      ObjectNode o = floors.addObject();
      num(o, "min_quality", f.floor());
      o.put("cleared", f.cleared());
      num(o, "cleared_share", f.clearedShare());
      num(o, "mean_predicted_quality_cleared", f.meanPredicted());
      num(o, "mean_realized_quality_cleared", f.meanRealized());
      interval(o, "mean_realized_quality_cleared_ci95", f.realizedCi());
      num(o, "mean_cost_cleared", f.meanCostCleared());
      num(o, "mean_cost_all", f.meanCostAll());
      num(o, "mean_realized_quality_all", f.meanQualityAll());
    }
    ObjectNode sanity = root.putObject("sanity");
    sanity.put("ok", r.sane());
    ArrayNode v = sanity.putArray("violations");
    r.sanityViolations().forEach(v::add);
    ArrayNode notes = root.putArray("notes");
    r.notes().forEach(notes::add);
    ObjectNode settings = root.putObject("settings");
    settings.put("estimator", r.options().estimator());
    settings.set("estimator_settings", Json.MAPPER.valueToTree(r.options().settings()));
    settings.put("mu_grid_steps", r.options().muSteps());
    settings.put("bootstrap", r.options().bootstrap());
    settings.put("seed", r.options().seed());
    num(settings, "target_cost", r.options().targetCost());
    CrossEvalReport.json(root, r);
    ObjectNode secs = root.putObject("seconds");
    r.seconds().forEach((k, s) -> num(secs, k, s));
    return root;
  }

  private static ObjectNode calibration(EvalReport r) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("bins", Calibration.DEFAULT_BINS);
    for (EvalReport.CalibrationResult c : r.calibration()) {
      ObjectNode p = o.putObject(c.name());
      p.put("description", c.description());
      p.set("all_pairs", calibration(c.allPairs()));
      p.set("chosen_mu0", calibration(c.chosenMu0()));
      ObjectNode per = p.putObject("per_model");
      c.perModel().forEach((m, cal) -> {
        ObjectNode x = per.putObject(m);
        num(x, "ece", cal.ece());
        num(x, "brier", cal.brier());
        num(x, "mean_predicted", cal.meanPredicted());
        num(x, "mean_observed", cal.meanObserved());
      });
    }
    return o;
  }

  private static ObjectNode calibration(Calibration c) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("n", c.n());
    num(o, "ece", c.ece());
    num(o, "brier", c.brier());
    num(o, "mean_predicted", c.meanPredicted());
    num(o, "mean_observed", c.meanObserved());
    ArrayNode bins = o.putArray("reliability");
    for (Calibration.Bin b : c.bins()) {
      ObjectNode x = bins.addObject();
      num(x, "lo", b.lo());
      num(x, "hi", b.hi());
      x.put("count", b.count());
      num(x, "mean_predicted", b.meanPredicted());
      num(x, "mean_observed", b.meanObserved());
    }
    return o;
  }

  private static JsonNode budget(EvalReport.BudgetKnob k) {
    if (k == null) {
      return NullNode.getInstance();
    }
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("curve_source", k.curveSource());
    num(o, "curve_min_usd_per_1000", k.minUsdPer1000());
    num(o, "curve_max_usd_per_1000", k.maxUsdPer1000());
    ArrayNode rows = o.putArray("targets");
    for (EvalReport.BudgetRow b : k.rows()) {
      ObjectNode x = rows.addObject();
      num(x, "target_usd_per_1000", b.targetUsdPer1000());
      num(x, "mu_low", b.muLow());
      num(x, "mu_high", b.muHigh());
      num(x, "share_high", b.shareHigh());
      num(x, "validation_usd_per_1000", b.validationUsdPer1000());
      num(x, "test_usd_per_1000", b.testUsdPer1000());
      num(x, "relative_error", b.relativeError());
      interval(x, "test_usd_per_1000_ci95", b.testCi());
      x.put("within_10_percent", Math.abs(b.relativeError()) <= 0.10);
      x.put("target_within_test_noise", b.targetWithinTestNoise());
      num(x, "test_expected_usd_per_1000", b.testExpectedUsdPer1000());
      num(x, "test_quality", b.testQuality());
      num(x, "nearest_mu", b.nearestMu());
      num(x, "nearest_mu_test_usd_per_1000", b.nearestTestUsdPer1000());
      num(x, "nearest_mu_relative_error", b.nearestRelativeError());
      ObjectNode paced = x.putObject("paced");
      paced.put("orders", b.pacedOrders());
      num(paced, "test_usd_per_1000", b.pacedTestUsdPer1000());
      num(paced, "relative_error", b.pacedRelativeError());
      num(paced, "worst_abs_relative_error", b.pacedWorstAbsRelativeError());
      paced.put("within_10_percent", b.pacedWorstAbsRelativeError() <= 0.10);
    }
    double worst = 0;
    double worstPaced = 0;
    for (EvalReport.BudgetRow b : k.rows()) {
      worst = Math.max(worst, Math.abs(b.relativeError()));
      worstPaced = Math.max(worstPaced, b.pacedWorstAbsRelativeError());
    }
    num(o, "max_abs_relative_error", worst);
    num(o, "paced_max_abs_relative_error", worstPaced);
    return o;
  }

  private static ObjectNode router(RouterResult rr) {
    RouterMetrics m = rr.metrics();
    ObjectNode o = Json.MAPPER.createObjectNode();
    num(o, "auc", m.auc());
    num(o, "aiq", m.aiq());
    num(o, "apgr", m.apgr());
    num(o, "cpt50", m.cpt50());
    num(o, "cpt80", m.cpt80());
    num(o, "cost_fraction_to_match_best", m.costFractionToMatchBest());
    ObjectNode qf = o.putObject("quality_at_cost_fraction");
    for (int i = 0; i < MetricFormulas.COST_FRACTIONS.length; i++) {
      num(qf, Double.toString(MetricFormulas.COST_FRACTIONS[i]), m.qualityAtCostFraction()[i]);
    }
    num(o, "accuracy_mu0", m.accuracyMu0());
    num(o, "routerarena", m.routerArena());
    o.put("description", rr.description());
    o.put("param", rr.paramName());
    o.put("points", rr.points().size());
    ObjectNode ci = o.putObject("ci95");
    for (Map.Entry<String, Interval> e : rr.ci().entrySet()) {
      interval(ci, e.getKey(), e.getValue());
    }
    return o;
  }

  static void num(ObjectNode o, String key, double v) {
    if (Double.isFinite(v)) {
      o.put(key, v);
    } else {
      o.putNull(key);
    }
  }

  static void interval(ObjectNode o, String key, Interval iv) {
    if (iv == null) {
      o.putNull(key);
      return;
    }
    ArrayNode a = o.putArray(key);
    if (Double.isFinite(iv.lo())) {
      a.add(iv.lo());
    } else {
      a.addNull();
    }
    if (Double.isFinite(iv.hi())) {
      a.add(iv.hi());
    } else {
      a.addNull();
    }
  }
}
