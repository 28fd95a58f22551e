package io.carrot.report;

import io.carrot.core.curve.Baselines;
import io.carrot.core.eval.EvalReport.Difference;
import io.carrot.core.eval.EvalReport.Interval;
import io.carrot.core.eval.EvalReport.RouterResult;
import io.carrot.core.eval.EvalReport;
import io.carrot.core.metrics.Calibration;
import io.carrot.core.metrics.MetricFormulas;
import io.carrot.core.metrics.RouterMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code report.md}: the tables of one evaluation, and the headline sentences RESULTS.md reuses. */
public final class MarkdownReport {
  private MarkdownReport() {}

  /** The whole report; images are linked as {@code imagePrefix + "frontier.png"} and so on. */
  public static String render(EvalReport r, String imagePrefix) {
    StringBuilder sb = new StringBuilder();
    sb.append("# ").append(r.dataset()).append(": evaluation of ").append(r.carrot()).append("\n\n");
    sb.append(sanity(r));
    sb.append(String.format(Locale.ROOT,
        "%d test prompts (fitted on %d train, %d validation), %d models, embedder `%s`. %s. "
            + "Costs are mean USD per prompt on the test split; intervals are 95%% bootstrap intervals over "
            + "test prompts (%d resamples, seed %d).%n%n",
        r.nTest(), r.nTrain(), r.nValidation(), r.singles().size(), r.embedderId(),
        r.router(r.carrot()).description(), r.options().bootstrap(), r.options().seed()));
    sb.append("## Headline\n\n");
    for (String h : headline(r)) {
      sb.append("- ").append(h).append('\n');
    }
    sb.append('\n');
    sb.append(body(r, imagePrefix, "##"));
    return sb.toString();
  }

  /** One line per cross-evaluation ({@code --folds}, {@code --leave-out-source}) for the terminal. */
  public static List<String> crossEvaluationSummary(EvalReport r) {
    return CrossEvalReport.summary(r);
  }

  /** Everything after the headline, with section headers at {@code level} ("##" or "###"). */
  static String body(EvalReport r, String imagePrefix, String level) {
    StringBuilder sb = new StringBuilder();
    sb.append(level).append(" Routers\n\n");
    sb.append(routerTable(r)).append('\n');
    if (r.options().bootstrap() > 0) {
      sb.append(level).append(" 95% bootstrap intervals\n\n");
      sb.append(ciTable(r)).append('\n');
      sb.append(level).append(" Paired differences (").append(r.carrot()).append(" minus baseline)\n\n");
      sb.append(differences(r)).append('\n');
    }
    sb.append("![frontier](").append(imagePrefix).append("frontier.png)\n\n");
    sb.append("![quality at a cost fraction](").append(imagePrefix).append("quality-at-cost.png)\n\n");
    sb.append("![model selection](").append(imagePrefix).append("selection.png)\n\n");
    if (r.deployment() != null) {
      EvalReport.Deployment d = r.deployment();
      sb.append(level).append(" Deployment check\n\n");
      sb.append(String.format(Locale.ROOT,
          "Target %s USD per prompt: mu = %.3f chosen on validation (cost %s, quality %s); on test it costs %s "
              + "(%+.1f%% of the target) at quality %s.%n%n",
          Fmt.usd(d.targetCost()), d.mu(), Fmt.usd(d.validation().cost()), Fmt.q(d.validation().quality()),
          Fmt.usd(d.test().cost()), 100 * (d.test().cost() / d.targetCost() - 1), Fmt.q(d.test().quality())));
    }
    sb.append(knobs(r, imagePrefix, level));
    sb.append(level).append(" Cost predictor\n\n");
    sb.append("Output-token MAE on test (tokens per prompt and model): ");
    List<String> maes = new ArrayList<>();
    r.outputTokenMae().forEach((k, v) -> maes.add(k + " " + Fmt.tokens(v)));
    sb.append(String.join(", ", maes)).append(".");
    if (r.outputTokenMae().values().stream().allMatch(v -> Double.isNaN(v))) {
      sb.append(" (n/a: no test prompt has output tokens to predict; the dataset's costs are input-only.)");
    }
    sb.append("\n\n");
    sb.append(level).append(" Single models\n\n");
    sb.append("| model | quality | cost | cost vs best |\n| --- | ---: | ---: | ---: |\n");
    r.singles().stream()
        .sorted((a, b) -> Double.compare(b.quality(), a.quality()))
        .forEach(s -> sb.append("| ").append(s.model()).append(s.model().equals(r.bestSingle()) ? " (best)" : "")
            .append(" | ").append(Fmt.q(s.quality())).append(" | ").append(Fmt.usd(s.cost())).append(" | ")
            .append(Fmt.pct(s.cost() / r.anchors().bestCost())).append(" |\n"));
    sb.append('\n');
    sb.append(level).append(" Baselines\n\n");
    for (RouterResult rr : r.routers().values()) {
      sb.append("- `").append(rr.name()).append("`: ").append(rr.description()).append(".\n");
    }
    sb.append(String.format(Locale.ROOT,
        "%nAIQ integrates each router's non-decreasing convex hull over [%s, %s] (cheapest to dearest single model; "
            + "0 below a router's cheapest point). PGR, APGR and CPT use %s as the weak and %s as the strong model, "
            + "with the cost-equivalent share of strong calls on the x axis. Cost to match, quality at a cost "
            + "fraction, CPT and AIQ read the hull (mixing two settings is allowed); AUC uses the raw points.%n%n",
        Fmt.usd(r.anchors().costMin()), Fmt.usd(r.anchors().costMax()), weakName(r), r.bestSingle()));
    sb.append(CrossEvalReport.section(r, level));
    if (!r.notes().isEmpty()) {
      sb.append(level).append(" Notes\n\n");
      for (String n : r.notes()) {
        sb.append("- ").append(n).append('\n');
      }
      sb.append('\n');
    }
    sb.append(level).append(" Run\n\n");
    List<String> secs = new ArrayList<>();
    r.seconds().forEach((k, v) -> secs.add(String.format(Locale.ROOT, "%s %.1f s", k, v)));
    sb.append("Wall time: ").append(String.join(", ", secs)).append(". mu grid step ")
        .append(String.format(Locale.ROOT, "%.4g", 1.0 / r.options().muSteps())).append(". Router: ")
        .append(r.routerInfo()).append(".\n");
    return sb.toString();
  }

  /** Calibration, the budget knob and the quality floor on test. */
  static String knobs(EvalReport r, String imagePrefix, String level) {
    StringBuilder sb = new StringBuilder();
    sb.append(level).append(" Calibration of predicted quality\n\n");
    sb.append(String.format(Locale.ROOT,
        "Predicted quality against the realized score on the %d test prompts, %d equal-width bins of the prediction. "
            + "ECE: the count-weighted mean over bins of |mean predicted - mean realized|; Brier: the mean squared "
            + "difference; bias: mean predicted - mean realized (positive = the predictions promise too much). "
            + "\"Chosen at mu = 0\" is the prediction a decision shows for the model it picks; picking the highest of "
            + "several noisy estimates makes it optimistic (a winner's curse) even when all pairs are calibrated.%n%n",
        r.nTest(), Calibration.DEFAULT_BINS));
    sb.append("| predictions | pairs | ECE | Brier | mean predicted | mean realized | bias |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (EvalReport.CalibrationResult c : r.calibration()) {
      calibrationRow(sb, c.name() + ": all (prompt, model) pairs", c.allPairs());
      calibrationRow(sb, c.name() + ": chosen model at mu = 0", c.chosenMu0());
    }
    sb.append('\n');
    for (EvalReport.CalibrationResult c : r.calibration()) {
      sb.append("- `").append(c.name()).append("`: ").append(c.description()).append(".\n");
    }
    sb.append("\n![reliability diagram](").append(imagePrefix).append(ReportWriter.CALIBRATION_PNG).append(")\n\n");
    sb.append("Per model (all test prompts):\n\n| model | ECE | Brier | mean predicted | mean realized |");
    EvalReport.CalibrationResult raw = r.calibration().size() > 1 ? r.calibration().get(1) : null;
    sb.append(raw == null ? "\n| --- | ---: | ---: | ---: | ---: |\n" : " ECE " + raw.name() + " |\n| --- | ---: | ---: | ---: | ---: | ---: |\n");
    r.calibration().get(0).perModel().forEach((m, c) -> {
      sb.append("| ").append(m).append(" | ").append(Fmt.q(c.ece())).append(" | ").append(Fmt.q(c.brier())).append(" | ")
          .append(Fmt.q(c.meanPredicted())).append(" | ").append(Fmt.q(c.meanObserved())).append(" |");
      if (raw != null) {
        sb.append(' ').append(Fmt.q(raw.perModel().get(m).ece())).append(" |");
      }
      sb.append('\n');
    });
    sb.append('\n');

    EvalReport.BudgetKnob b = r.budgetKnob();
    if (b != null) {
      sb.append(level).append(" Budget knob (`--budget`)\n\n");
      sb.append(String.format(Locale.ROOT,
          "Spend curve from the %s: %s to %s USD per 1000 prompts. Each target (log-uniform inside that range) becomes "
              + "what `carrot route --budget` uses: two neighbouring mu, with the share of prompts given to the larger "
              + "(cheaper) one chosen by a hash of the prompt text so that the expected spend on the curve is the target. "
              + "Test spend is what that costs on the test prompts, with its 95%% bootstrap interval over test prompts "
              + "(the test sample's own noise: even an exact curve misses a small test split by about this much); "
              + "\"expected\" removes the hash's sampling noise; the last columns show the single mu with the closest "
              + "curve spend (the knob without mixing). **Paced** is a stream of the test prompts held to the target by "
              + "`BudgetPacer` (each prompt's real cost fed back, as the proxy does): mean spend and the worst error over "
              + "%d random orders of the test prompts.%n%n",
          b.curveSource(), per1000(b.minUsdPer1000()), per1000(b.maxUsdPer1000()),
          b.rows().isEmpty() ? 0 : b.rows().get(0).pacedOrders()));
      sb.append("| target USD/1000 | mu low | mu high | share high | test USD/1000 [95%] | error | expected test | test quality "
          + "| nearest mu | its test USD/1000 | its error | paced test USD/1000 | paced error (worst) |\n"
          + "| ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
      int within = 0;
      int noise = 0;
      int pacedWithin = 0;
      double worst = 0;
      double pacedWorst = 0;
      for (EvalReport.BudgetRow x : b.rows()) {
        pacedWithin += x.pacedWorstAbsRelativeError() <= 0.10 ? 1 : 0;
        pacedWorst = Math.max(pacedWorst, x.pacedWorstAbsRelativeError());
        boolean ok = Math.abs(x.relativeError()) <= 0.10;
        within += ok ? 1 : 0;
        noise += !ok && x.targetWithinTestNoise() ? 1 : 0;
        worst = Math.max(worst, Math.abs(x.relativeError()));
        String ci = x.testCi() == null ? "" : " [" + per1000(x.testCi().lo()) + ", " + per1000(x.testCi().hi()) + "]";
        sb.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %s%s | %+.1f%% | %s | %s | %.3f | %s | %+.1f%% | %s | %+.1f%% (%.1f%%) |%n",
            per1000(x.targetUsdPer1000()), x.muLow(), x.muHigh(), x.shareHigh(), per1000(x.testUsdPer1000()), ci,
            100 * x.relativeError(), per1000(x.testExpectedUsdPer1000()), Fmt.q(x.testQuality()), x.nearestMu(),
            per1000(x.nearestTestUsdPer1000()), 100 * x.nearestRelativeError(), per1000(x.pacedTestUsdPer1000()),
            100 * x.pacedRelativeError(), 100 * x.pacedWorstAbsRelativeError()));
      }
      sb.append(String.format(Locale.ROOT, "%nTest spend within 10%% of the target on %d of %d targets; largest error %.1f%%. "
              + "Paced: within 10%% in every order on %d of %d targets; largest error over all orders %.1f%%.", within,
          b.rows().size(), 100 * worst, pacedWithin, b.rows().size(), 100 * pacedWorst));
      if (noise > 0) {
        sb.append(String.format(Locale.ROOT, " The target lies inside the test spend's 95%% interval for %d of the %d outside "
            + "(a miss within the test sample's noise).", noise, b.rows().size() - within));
      }
      sb.append("\n\n");
    }

    sb.append(level).append(" Quality floor (`--min-quality`)\n\n");
    sb.append("Each test prompt goes to the cheapest model whose predicted quality is at least the floor, or, when none is, "
        + "to the best predicted model. On the prompts where some model cleared the floor, the promise is a realized "
        + "mean quality at or above it (interval: 95% bootstrap over those prompts).\n\n");
    sb.append("| floor | cleared | mean predicted | mean realized [95%] | promise | cost (cleared) | cost (all) | quality (all) |\n"
        + "| ---: | ---: | ---: | --- | --- | ---: | ---: | ---: |\n");
    for (EvalReport.FloorRow f : r.qualityFloor()) {
      sb.append(String.format(Locale.ROOT, "| %.2f | %s (%d) | %s | %s | %s | %s | %s | %s |%n", f.floor(), Fmt.pct(f.clearedShare()),
          f.cleared(), Fmt.q(f.meanPredicted()), withCi(Fmt.q(f.meanRealized()), Fmt.ci(f.realizedCi())), promise(f),
          Fmt.usd(f.meanCostCleared()), Fmt.usd(f.meanCostAll()), Fmt.q(f.meanQualityAll())));
    }
    sb.append('\n');
    return sb.toString();
  }

  /** One sentence on calibration and the knobs, for RESULTS.md. */
  public static String knobSummary(EvalReport r) {
    EvalReport.CalibrationResult c = r.calibration().get(0);
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "Knobs on test: predicted quality ECE %s over all (prompt, model) pairs, %s for the chosen model at mu = 0 (bias %s)",
        Fmt.q(c.allPairs().ece()), Fmt.q(c.chosenMu0().ece()), Fmt.signed(c.chosenMu0().bias())));
    if (r.calibration().size() > 1) {
      sb.append(String.format(Locale.ROOT, "; before the calibration map %s and %s", Fmt.q(r.calibration().get(1).allPairs().ece()),
          Fmt.q(r.calibration().get(1).chosenMu0().ece())));
    }
    if (r.budgetKnob() != null) {
      List<EvalReport.BudgetRow> rows = r.budgetKnob().rows();
      long within = rows.stream().filter(x -> Math.abs(x.relativeError()) <= 0.10).count();
      double worst = rows.stream().mapToDouble(x -> Math.abs(x.relativeError())).max().orElse(Double.NaN);
      long pacedWithin = rows.stream().filter(x -> x.pacedWorstAbsRelativeError() <= 0.10).count();
      double pacedWorst = rows.stream().mapToDouble(EvalReport.BudgetRow::pacedWorstAbsRelativeError).max().orElse(Double.NaN);
      sb.append(String.format(Locale.ROOT, ". `--budget` lands within 10%% of the target on %d of %d targets (largest error %.1f%%); "
              + "paced over the test stream on %d of %d (largest error %.1f%% over %d orders)",
          within, rows.size(), 100 * worst, pacedWithin, rows.size(), 100 * pacedWorst,
          rows.isEmpty() ? 0 : rows.get(0).pacedOrders()));
    }
    List<String> floors = new ArrayList<>();
    for (EvalReport.FloorRow f : r.qualityFloor()) {
      floors.add(String.format(Locale.ROOT, "%.1f %s", f.floor(), promise(f)));
    }
    return sb.append(". `--min-quality` promise: ").append(String.join(", ", floors)).append('.').toString();
  }

  private static void calibrationRow(StringBuilder sb, String what, Calibration c) {
    sb.append("| ").append(what).append(" | ").append(c.n()).append(" | ").append(Fmt.q(c.ece())).append(" | ").append(Fmt.q(c.brier()))
        .append(" | ").append(Fmt.q(c.meanPredicted())).append(" | ").append(Fmt.q(c.meanObserved())).append(" | ")
        .append(Fmt.signed(c.bias())).append(" |\n");
  }

  /** Whether the realized quality of the cleared prompts keeps the floor's promise. */
  public static String promise(EvalReport.FloorRow f) {
    if (f.cleared() == 0) {
      return "no prompt cleared";
    }
    if (f.meanRealized() >= f.floor()) {
      return "kept";
    }
    if (f.realizedCi() != null && f.realizedCi().hi() >= f.floor()) {
      return "within noise";
    }
    return "**broken**";
  }

  private static String per1000(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4g", v);
  }

  /** A loud block when a sanity check failed; empty otherwise. */
  static String sanity(EvalReport r) {
    if (r.sane()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("> **WARNING: SANITY CHECK FAILED.** The oracle must be at or above every router "
        + "and the zero router at or above every single model; these numbers break that, so the data or the code is wrong:\n>\n");
    for (String v : r.sanityViolations()) {
      sb.append("> - ").append(v).append('\n');
    }
    return sb.append('\n').toString();
  }

  /** The headline sentences: mu = 0 accuracy, cost to match the best model, AIQ vs baselines. */
  public static List<String> headline(EvalReport r) {
    List<String> out = new ArrayList<>();
    RouterMetrics c = r.router(r.carrot()).metrics();
    Map<String, Interval> ci = r.router(r.carrot()).ci();
    EvalReport.SingleModel best = bestModel(r);
    Difference accDiff = diff(r, "single:" + r.bestSingle(), "accuracy_mu0");
    out.add(String.format(Locale.ROOT,
        "At mu = 0, %s scores %s at %s per prompt; the best single model, %s, scores %s at %s (difference %s); "
            + "the oracle scores %s at %s.",
        r.carrot(), withCi(Fmt.q(c.accuracyMu0()), Fmt.ci(ci.get("accuracy_mu0"))), Fmt.usd(r.router(r.carrot()).points().get(0).cost()),
        best.model(), withCi(Fmt.q(best.quality()), Fmt.ci(r.bestSingleQualityCi())), Fmt.usd(best.cost()),
        withCi(Fmt.signed(accDiff.estimate()), Fmt.ci(accDiff.ci())), withCi(Fmt.q(r.oracle().quality()), Fmt.ci(r.oracleQualityCi())),
        Fmt.usd(r.oracle().cost())));
    boolean explained = false;
    if (Double.isNaN(c.costFractionToMatchBest())) {
      out.add(String.format(Locale.ROOT,
          "%s does not reach %s's quality (%s) at any cost: its best is %s. %s",
          r.carrot(), best.model(), Fmt.q(best.quality()), Fmt.q(r.router(r.carrot()).points().stream()
              .mapToDouble(p -> p.quality()).max().orElse(Double.NaN)), whyNoMatch(r)));
      explained = true;
    } else {
      out.add(String.format(Locale.ROOT,
          "%s matches %s's quality at **%s of its cost**.",
          r.carrot(), best.model(), withCi(Fmt.pct(c.costFractionToMatchBest()), Fmt.ciPct(ci.get("cost_fraction_to_match_best")))));
    }
    List<String> budgets = new ArrayList<>();
    for (int i = 0; i < MetricFormulas.COST_FRACTIONS.length; i++) {
      double f = MetricFormulas.COST_FRACTIONS[i];
      double v = c.qualityAtCostFraction()[i];
      budgets.add(String.format(Locale.ROOT, "%s at %.0f%%", Double.isNaN(v) ? "n/a (below its cheapest setting)"
          : withCi(Fmt.pct(v), Fmt.ciPctReachable(ci.get("quality_at_cost_fraction_" + f))), 100 * f));
    }
    out.add(String.format(Locale.ROOT, "On a budget of a fraction of %s's cost, %s keeps this share of its quality: %s.",
        best.model(), r.carrot(), String.join("; ", budgets)));
    List<String> vs = new ArrayList<>();
    for (String b : List.of("carrot-knn", "zero-router", "static", "binary", "quality-only")) {
      RouterResult rr = r.router(b);
      if (rr == null || b.equals(r.carrot())) {
        continue;
      }
      Difference d = diff(r, b, "aiq");
      vs.add(String.format(Locale.ROOT, "%s %s (%s%s)", b, Fmt.q(rr.metrics().aiq()), withCi(Fmt.signed(d.estimate()), Fmt.ci(d.ci())),
          significance(d)));
    }
    out.add(String.format(Locale.ROOT, "AIQ: %s %s vs %s.", r.carrot(), withCi(Fmt.q(c.aiq()), Fmt.ci(ci.get("aiq"))), String.join(", ", vs)));
    String aiqNote = aiqNote(r, explained);
    if (!aiqNote.isEmpty()) {
      out.add(aiqNote);
    }
    return out;
  }

  private static String withCi(String value, String ci) {
    return ci.isEmpty() ? value : value + " " + ci;
  }

  private static String significance(Difference d) {
    if (d.ci() == null) {
      return "";
    }
    if (d.ci().lo() > 0) {
      return ", above";
    }
    if (d.ci().hi() < 0) {
      return ", below";
    }
    return ", within noise";
  }

  /**
   * Why CARROT's AIQ is not above the zero router's or the static router's, when it is not
   * ({@code explained}: the reason was already given).
   */
  static String aiqNote(EvalReport r, boolean explained) {
    RouterMetrics c = r.router(r.carrot()).metrics();
    List<String> below = new ArrayList<>();
    for (String b : List.of("zero-router", "static")) {
      RouterResult rr = r.router(b);
      if (rr != null && !(c.aiq() > rr.metrics().aiq())) {
        below.add(b);
      }
    }
    if (below.isEmpty()) {
      return "";
    }
    return String.format(Locale.ROOT, "**Note: %s's AIQ is not above %s's.** %s", r.carrot(), String.join(" and ", below),
        explained ? "The reason is the one above: its mu = 0 end is below the best single model, so mixing models "
            + "without looking at the prompt reaches higher." : whyNoMatch(r));
  }

  /** A data-driven explanation of a weak CARROT result. */
  static String whyNoMatch(EvalReport r) {
    RouterMetrics c = r.router(r.carrot()).metrics();
    EvalReport.SingleModel best = bestModel(r);
    double gap = r.oracle().quality() - best.quality();
    if (c.accuracyMu0() < best.quality()) {
      EvalReport.Selection sel = r.selection();
      int bi = sel.models().indexOf(best.model());
      int used = 0;
      for (double[] row : sel.share()) {
        used += row[0] > 0 ? 1 : 0;
      }
      return String.format(Locale.ROOT,
          "Its quality predictions pick worse models than always calling %s (%s vs %s at mu = 0): at mu = 0 it sends %s of "
              + "the prompts to %s and the rest to %d other models. On %s of the prompts two or more models tie for the "
              + "highest predicted quality and the rule takes the cheapest of them, and picking the highest of %d noisy "
              + "estimates favours models whose neighbours happened to score well (a winner's curse). The per-prompt "
              + "differences exist (the oracle is %s above %s), but the estimator does not see them from the embedding.",
          best.model(), Fmt.q(c.accuracyMu0()), Fmt.q(best.quality()), Fmt.pct(bi < 0 ? Double.NaN : sel.share()[bi][0]),
          best.model(), Math.max(0, used - 1), Fmt.pct(r.topTieShare()), r.singles().size(), Fmt.q(gap), best.model());
    }
    return String.format(Locale.ROOT,
        "At mu = 0 it is as good as %s (%s vs %s) but its cheaper settings lose more quality than mixing models blindly.",
        best.model(), Fmt.q(c.accuracyMu0()), Fmt.q(best.quality()));
  }

  private static String routerTable(EvalReport r) {
    StringBuilder sb = new StringBuilder("| router | AUC | AIQ | APGR | CPT(50%) | CPT(80%) | cost to match best |");
    for (double f : MetricFormulas.COST_FRACTIONS) {
      sb.append(String.format(Locale.ROOT, " Q@%.0f%% |", 100 * f));
    }
    sb.append(" acc. mu=0 | RouterArena |\n| --- |");
    sb.append(" ---: |".repeat(8 + MetricFormulas.COST_FRACTIONS.length)).append('\n');
    for (RouterResult rr : r.routers().values()) {
      RouterMetrics m = rr.metrics();
      sb.append("| ").append(rr.name().equals(r.carrot()) ? "**" + rr.name() + "**" : rr.name()).append(" | ")
          .append(Fmt.q(m.auc())).append(" | ").append(Fmt.q(m.aiq())).append(" | ").append(Fmt.q(m.apgr())).append(" | ")
          .append(Fmt.pct(m.cpt50())).append(" | ").append(Fmt.pct(m.cpt80())).append(" | ")
          .append(Fmt.pct(m.costFractionToMatchBest())).append(" |");
      for (double v : m.qualityAtCostFraction()) {
        sb.append(' ').append(Fmt.q(v)).append(" |");
      }
      sb.append(' ').append(Fmt.q(m.accuracyMu0())).append(" | ").append(Fmt.q(m.routerArena())).append(" |\n");
    }
    return sb.toString();
  }

  private static String ciTable(EvalReport r) {
    StringBuilder sb = new StringBuilder("| router | AIQ | APGR | cost to match best | Q@30% | acc. mu=0 |\n| --- | --- | --- | --- | --- | --- |\n");
    for (RouterResult rr : r.routers().values()) {
      Map<String, Interval> ci = rr.ci();
      sb.append("| ").append(rr.name()).append(" | ").append(orNa(Fmt.ci(ci.get("aiq")))).append(" | ").append(orNa(Fmt.ci(ci.get("apgr"))))
          .append(" | ").append(ci.get("cost_fraction_to_match_best") == null ? "never" : Fmt.ciPct(ci.get("cost_fraction_to_match_best")))
          .append(" | ").append(orNa(Fmt.ciReachable(ci.get("quality_at_cost_fraction_0.3")))).append(" | ").append(orNa(Fmt.ci(ci.get("accuracy_mu0"))))
          .append(" |\n");
    }
    return sb.toString();
  }

  private static String differences(EvalReport r) {
    StringBuilder sb = new StringBuilder("| baseline | metric | difference | 95% interval | verdict |\n| --- | --- | ---: | --- | --- |\n");
    for (Difference d : r.differences()) {
      String verdict = d.ci() == null ? "" : d.ci().lo() > 0 ? "higher" : d.ci().hi() < 0 ? "lower" : "within noise";
      sb.append("| ").append(d.baseline()).append(" | ").append(d.metric()).append(" | ").append(Fmt.signed(d.estimate()))
          .append(" | ").append(Fmt.ci(d.ci())).append(" | ").append(verdict).append(" |\n");
    }
    return sb.toString();
  }

  private static String orNa(String s) {
    return s.isEmpty() ? "n/a" : s;
  }

  static EvalReport.SingleModel bestModel(EvalReport r) {
    return r.singles().stream().filter(s -> s.model().equals(r.bestSingle())).findFirst().orElseThrow();
  }

  private static String weakName(EvalReport r) {
    return r.singles().stream()
        .filter(s -> s.cost() == r.anchors().weakCost() && s.quality() == r.anchors().weakQuality())
        .map(EvalReport.SingleModel::model)
        .findFirst()
        .orElse("the cheapest model");
  }

  private static Difference diff(EvalReport r, String baseline, String metric) {
    return r.differences().stream()
        .filter(d -> d.baseline().equals(baseline) && d.metric().equals(metric))
        .findFirst()
        .orElse(new Difference(r.carrot(), baseline, metric, Double.NaN, null));
  }
}
