package io.carrot.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.eval.CrossEvaluation;
import io.carrot.core.eval.EvalReport;
import io.carrot.core.eval.EvalReport.CrossEval;
import io.carrot.core.eval.EvalReport.Difference;
import io.carrot.core.eval.EvalReport.Interval;
import io.carrot.core.files.Json;
import io.carrot.core.metrics.RouterMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cross-evaluations of a report ({@code --folds}, {@code --leave-out-source}) as Markdown
 * tables and {@code metrics.json} sections: every router's pooled numbers and the paired
 * differences between routers, with whether each interval excludes 0.
 */
final class CrossEvalReport {
  private CrossEvalReport() {}

  /** The Markdown sections, empty when the report has no cross-evaluation. */
  static String section(EvalReport r, String level) {
    StringBuilder sb = new StringBuilder();
    CrossEval cv = r.crossValidation();
    if (cv != null) {
      sb.append(level).append(" K-fold cross-evaluation\n\n").append(cv.protocol()).append(". ")
          .append("Best single model on the pooled prompts: ").append(cv.bestSingle()).append(".\n\n");
      sb.append(routerTable(cv)).append('\n');
      String embedders = embedderTable(cv, r.embedderId());
      if (!embedders.isEmpty()) {
        sb.append("Embedders compared on the same folds (each row's routers fitted on its vectors; differences paired):\n\n")
            .append(embedders).append('\n');
      }
      sb.append("Paired differences (row router minus column router, both measured on the same bootstrap resamples of the pooled"
          + " prompts; \"higher\"/\"lower\": the 95% interval excludes 0):\n\n");
      sb.append(pairTable(cv.pairs())).append('\n');
      notes(sb, cv.notes());
    }
    if (!r.heldOutSources().isEmpty()) {
      sb.append(level).append(" Leave one source out\n\n");
      sb.append("Each source group in turn is the test set; every router, and the prompt-blind `best-on-train` and"
          + " `zero-router-train`, learn from the other groups only. Differences are paired (the same bootstrap resamples of the"
          + " held-out prompts); bold: the interval excludes 0.\n\n");
      sb.append(heldOutTable(r.heldOutSources())).append('\n');
      for (CrossEval e : r.heldOutSources()) {
        notes(sb, e.notes());
      }
    }
    return sb.toString();
  }

  private static void notes(StringBuilder sb, List<String> notes) {
    for (String n : notes) {
      sb.append("- ").append(n).append('\n');
    }
    if (!notes.isEmpty()) {
      sb.append('\n');
    }
  }

  private static String routerTable(CrossEval cv) {
    StringBuilder sb = new StringBuilder("| router | AIQ | accuracy at mu = 0 | cost to match best |\n| --- | --- | --- | --- |\n");
    cv.metrics().forEach((name, m) -> {
      Map<String, Interval> ci = cv.ci().getOrDefault(name, Map.of());
      sb.append("| ").append(name.equals(cv.carrot()) ? "**" + name + "**" : name).append(" | ")
          .append(withCi(Fmt.q(m.aiq()), Fmt.ci(ci.get("aiq")))).append(" | ")
          .append(withCi(Fmt.q(m.accuracyMu0()), Fmt.ci(ci.get("accuracy_mu0")))).append(" | ")
          .append(Double.isNaN(m.costFractionToMatchBest()) ? "never" : withCi(Fmt.pct(m.costFractionToMatchBest()),
              Fmt.ciPct(ci.get("cost_fraction_to_match_best")))).append(" |\n");
    });
    return sb.toString();
  }

  /**
   * One row per embedder of a cross-evaluation with alternatives ({@code <router>@<label>}): its
   * CARROT and CARROT-KNN, and paired differences to the main embedder's CARROT, to its own
   * CARROT-KNN and to the prompt-blind routers; empty without alternatives.
   */
  static String embedderTable(CrossEval cv, String mainEmbedder) {
    String c = cv.carrot();
    List<String> labels = new ArrayList<>();
    for (String name : cv.metrics().keySet()) {
      if (name.startsWith(c + CrossEvaluation.AT)) {
        labels.add(name.substring(c.length() + 1));
      }
    }
    if (labels.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("| embedder | AIQ " + c + " | accuracy at mu = 0 | cost to match best | AIQ carrot-knn | "
        + c + " minus main " + c + " (AIQ) | minus main (accuracy) | " + c + " minus its carrot-knn (AIQ) | minus zero-router (AIQ) |"
        + " minus best-on-train (accuracy) |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    labels.add(0, "");
    for (String label : labels) {
      String at = label.isEmpty() ? "" : CrossEvaluation.AT + label;
      String router = c + at;
      String knn = c.equals("carrot-knn") ? null : "carrot-knn" + at;
      RouterMetrics m = cv.metrics().get(router);
      Map<String, Interval> ci = cv.ci().getOrDefault(router, Map.of());
      sb.append("| ").append(label.isEmpty() ? mainEmbedder + " (main)" : label).append(" | ")
          .append(withCi(Fmt.q(m.aiq()), Fmt.ci(ci.get("aiq")))).append(" | ")
          .append(withCi(Fmt.q(m.accuracyMu0()), Fmt.ci(ci.get("accuracy_mu0")))).append(" | ")
          .append(Double.isNaN(m.costFractionToMatchBest()) ? "never" : withCi(Fmt.pct(m.costFractionToMatchBest()),
              Fmt.ciPct(ci.get("cost_fraction_to_match_best")))).append(" | ")
          .append(knn == null ? "n/a" : aiq(cv, knn)).append(" | ")
          .append(label.isEmpty() ? "" : diff(cv.pair(c, router, "aiq"), true)).append(" | ")
          .append(label.isEmpty() ? "" : diff(cv.pair(c, router, "accuracy_mu0"), true)).append(" | ")
          .append(knn == null ? "n/a" : diff(cv.pair(router, knn, "aiq"))).append(" | ")
          .append(diff(cv.pair(router, "zero-router", "aiq"))).append(" | ")
          .append(diff(cv.pair(router, CrossEvaluation.BEST_ON_TRAIN, "accuracy_mu0"))).append(" |\n");
    }
    return sb.toString();
  }

  /** {@code d} read the other way round when {@code negate} (the pair is stored as main minus alternative). */
  private static String diff(Difference d, boolean negate) {
    if (d == null || !negate) {
      return diff(d);
    }
    // 0.0 - x, not -x: a zero difference prints as +0.0000, not -0.0000
    Interval ci = d.ci() == null ? null : new Interval(0.0 - d.ci().hi(), 0.0 - d.ci().lo());
    return diff(new Difference(d.baseline(), d.router(), d.metric(), 0.0 - d.estimate(), ci));
  }

  static String pairTable(List<Difference> pairs) {
    StringBuilder sb = new StringBuilder("| router | minus | metric | difference | 95% interval | verdict |\n| --- | --- | --- | ---: | --- | --- |\n");
    for (Difference d : pairs) {
      sb.append("| ").append(d.router()).append(" | ").append(d.baseline()).append(" | ").append(d.metric()).append(" | ")
          .append(Fmt.signed(d.estimate())).append(" | ").append(Fmt.ci(d.ci())).append(" | ").append(verdict(d)).append(" |\n");
    }
    return sb.toString();
  }

  /** "higher" / "lower" when the interval excludes 0, "within noise" when not, empty without one. */
  static String verdict(Difference d) {
    if (d == null || d.ci() == null) {
      return "";
    }
    return d.ci().lo() > 0 ? "higher" : d.ci().hi() < 0 ? "lower" : "within noise";
  }

  /**
   * One row per held-out group: the router (and, where it has a support section, the same router
   * with its support fallback on) against the blind routers of the same training data.
   */
  static String heldOutTable(List<CrossEval> held) {
    String c0 = held.get(0).carrot();
    String f0 = c0 + CrossEvaluation.WITH_FALLBACK;
    StringBuilder sb = new StringBuilder("| held out | test prompts | AIQ " + c0 + " | AIQ " + f0 + " | AIQ carrot-knn (reference) | AIQ best-on-train"
        + " | AIQ zero-router-train | " + c0 + " - zero-router-train (AIQ) | " + f0 + " - zero-router-train (AIQ) | accuracy at mu = 0: "
        + c0 + " | " + f0 + " | best-on-train | " + c0 + " - best-on-train (accuracy) | " + f0 + " - best-on-train (accuracy) |\n"
        + "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: | --- | --- |\n");
    for (CrossEval e : held) {
      String c = e.carrot();
      String f = c + CrossEvaluation.WITH_FALLBACK;
      sb.append("| ").append(e.name()).append(" | ").append(e.prompts()).append(" | ").append(aiq(e, c)).append(" | ").append(aiq(e, f))
          .append(" | ").append(c.equals("carrot-knn") ? "(the router)" : aiq(e, "carrot-knn")).append(" | ")
          .append(aiq(e, CrossEvaluation.BEST_ON_TRAIN)).append(" | ").append(aiq(e, CrossEvaluation.ZERO_FROM_TRAIN)).append(" | ")
          .append(diff(e.pair(c, CrossEvaluation.ZERO_FROM_TRAIN, "aiq"))).append(" | ")
          .append(diff(e.pair(f, CrossEvaluation.ZERO_FROM_TRAIN, "aiq"))).append(" | ")
          .append(accuracy(e, c)).append(" | ").append(accuracy(e, f)).append(" | ").append(accuracy(e, CrossEvaluation.BEST_ON_TRAIN))
          .append(" | ").append(diff(e.pair(c, CrossEvaluation.BEST_ON_TRAIN, "accuracy_mu0"))).append(" | ")
          .append(diff(e.pair(f, CrossEvaluation.BEST_ON_TRAIN, "accuracy_mu0"))).append(" |\n");
    }
    return sb.toString();
  }

  private static String accuracy(CrossEval e, String router) {
    RouterMetrics m = e.metrics().get(router);
    return m == null ? "n/a" : Fmt.q(m.accuracyMu0());
  }

  private static String aiq(CrossEval e, String router) {
    RouterMetrics m = e.metrics().get(router);
    return m == null ? "n/a" : Fmt.q(m.aiq());
  }

  private static String diff(Difference d) {
    if (d == null) {
      return "n/a";
    }
    String s = withCi(Fmt.signed(d.estimate()), Fmt.ci(d.ci()));
    return d.ci() != null && (d.ci().lo() > 0 || d.ci().hi() < 0) ? "**" + s + "**" : s;
  }

  private static String withCi(String value, String ci) {
    return ci.isEmpty() ? value : value + " " + ci;
  }

  /**
   * The cross-evaluation tables of a RESULTS.md: pooled K-fold numbers beside the single split's,
   * and each dataset's held-out sources; empty when no report has them.
   */
  static String resultsSection(List<EvalReport> reports) {
    StringBuilder sb = new StringBuilder();
    List<EvalReport> folded = reports.stream().filter(r -> r.crossValidation() != null).toList();
    if (!folded.isEmpty()) {
      sb.append("## K-fold cross-evaluation\n\n").append("Every prompt of the dataset a test prompt once (").append(folded.get(0)
          .crossValidation().protocol().replaceFirst(":.*", "")).append("); intervals of differences are paired (both routers on the same"
          + " bootstrap resamples); bold: the interval excludes 0.\n\n");
      sb.append("| dataset | prompts | AIQ router, pooled folds | AIQ router, single split | router - carrot-knn | router - zero-router"
          + " | router - static | router - best-on-train | accuracy at mu = 0, pooled | router - best-on-train (accuracy)"
          + " | router - task-only | with fallback - router (AIQ) | with fallback - router (accuracy) |\n");
      sb.append("| --- | ---: | --- | ---: | --- | --- | --- | --- | ---: | --- | --- | --- | --- |\n");
      for (EvalReport r : folded) {
        CrossEval e = r.crossValidation();
        String c = e.carrot();
        Map<String, Interval> ci = e.ci().getOrDefault(c, Map.of());
        sb.append("| ").append(r.dataset()).append(" | ").append(e.prompts()).append(" | ").append(c).append(' ')
            .append(withCi(Fmt.q(e.metrics().get(c).aiq()), Fmt.ci(ci.get("aiq")))).append(" | ")
            .append(Fmt.q(r.router(r.carrot()).metrics().aiq())).append(" | ")
            .append(c.equals("carrot-knn") ? "n/a" : diff(e.pair(c, "carrot-knn", "aiq"))).append(" | ")
            .append(diff(e.pair(c, "zero-router", "aiq"))).append(" | ").append(diff(e.pair(c, "static", "aiq"))).append(" | ")
            .append(diff(e.pair(c, CrossEvaluation.BEST_ON_TRAIN, "aiq"))).append(" | ")
            .append(Fmt.q(e.metrics().get(c).accuracyMu0())).append(" | ")
            .append(diff(e.pair(c, CrossEvaluation.BEST_ON_TRAIN, "accuracy_mu0"))).append(" | ")
            .append(diff(e.pair(c, CrossEvaluation.TASK_ONLY, "aiq"))).append(" | ")
            .append(diff(e.pair(c, c + CrossEvaluation.WITH_FALLBACK, "aiq"), true)).append(" | ")
            .append(diff(e.pair(c, c + CrossEvaluation.WITH_FALLBACK, "accuracy_mu0"), true)).append(" |\n");
      }
      sb.append("\n\"Task-only\" predicts each prompt by its source's training means (the task label and nothing else; n/a with one"
          + " source): the router minus it is what the prompt adds beyond its task. \"With fallback\" is the router as `route` runs"
          + " it by default: predictions moved toward the training priors by each prompt's support (docs/ROUTER.md); on prompts of"
          + " the sources it was trained on, what that costs.\n\n");
    }
    List<EvalReport> held = reports.stream().filter(r -> !r.heldOutSources().isEmpty()).toList();
    if (!held.isEmpty()) {
      sb.append("## Leave one source out\n\n").append("Each source group in turn is the test set; the router and the prompt-blind"
          + " `best-on-train` and `zero-router-train` learn from the other groups only; paired intervals; bold: the interval excludes"
          + " 0.\n\n");
      for (EvalReport r : held) {
        sb.append("**").append(r.dataset()).append("**\n\n").append(heldOutTable(r.heldOutSources())).append('\n');
      }
    }
    return sb.toString();
  }

  /** One line per cross-evaluation for the terminal: the router against the blind routers and CARROT-KNN. */
  static List<String> summary(EvalReport r) {
    List<String> out = new ArrayList<>();
    List<CrossEval> all = new ArrayList<>();
    if (r.crossValidation() != null) {
      all.add(r.crossValidation());
    }
    all.addAll(r.heldOutSources());
    for (CrossEval e : all) {
      String c = e.carrot();
      List<String> vs = new ArrayList<>();
      for (String b : List.of(c + CrossEvaluation.WITH_FALLBACK, "carrot-knn", CrossEvaluation.BEST_ON_TRAIN, CrossEvaluation.ZERO_FROM_TRAIN,
          "zero-router", "static", CrossEvaluation.TASK_ONLY)) {
        Difference d = e.pair(c, b, "aiq");
        if (d != null) {
          vs.add(b + " " + Fmt.signed(d.estimate()) + " " + Fmt.ci(d.ci()) + " " + verdict(d));
        }
      }
      Difference acc = e.pair(c, CrossEvaluation.BEST_ON_TRAIN, "accuracy_mu0");
      out.add(String.format(Locale.ROOT, "%s (%d prompts): %s AIQ %s, accuracy at mu = 0 %s (best-on-train %s%s); AIQ minus %s",
          e.name().equals("folds") ? "pooled folds" : "held out " + e.name(), e.prompts(), c, Fmt.q(e.metrics().get(c).aiq()),
          Fmt.q(e.metrics().get(c).accuracyMu0()), Fmt.q(e.metrics().get(CrossEvaluation.BEST_ON_TRAIN).accuracyMu0()),
          acc == null ? "" : ", difference " + Fmt.signed(acc.estimate()) + " " + Fmt.ci(acc.ci()) + " " + verdict(acc),
          String.join("; ", vs)));
    }
    return out;
  }

  /** The {@code metrics.json} sections {@code cross_validation} (or null) and {@code leave_one_source_out} (a list). */
  static void json(ObjectNode root, EvalReport r) {
    if (r.crossValidation() == null) {
      root.putNull("cross_validation");
    } else {
      root.set("cross_validation", json(r.crossValidation()));
    }
    ArrayNode held = root.putArray("leave_one_source_out");
    for (CrossEval e : r.heldOutSources()) {
      held.add(json(e));
    }
  }

  private static ObjectNode json(CrossEval e) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("name", e.name());
    o.put("protocol", e.protocol());
    o.put("router", e.carrot());
    o.put("n_test", e.prompts());
    o.put("n_train", e.trainPrompts());
    o.put("best_single", e.bestSingle());
    ObjectNode routers = o.putObject("routers");
    e.metrics().forEach((name, m) -> {
      ObjectNode x = routers.putObject(name);
      MetricsJson.num(x, "aiq", m.aiq());
      MetricsJson.num(x, "accuracy_mu0", m.accuracyMu0());
      MetricsJson.num(x, "cost_fraction_to_match_best", m.costFractionToMatchBest());
      x.put("description", e.descriptions().get(name));
      ObjectNode ci = x.putObject("ci95");
      e.ci().getOrDefault(name, Map.of()).forEach((k, iv) -> MetricsJson.interval(ci, k, iv));
    });
    ArrayNode pairs = o.putArray("paired_differences");
    for (Difference d : e.pairs()) {
      ObjectNode x = pairs.addObject();
      x.put("router", d.router());
      x.put("minus", d.baseline());
      x.put("metric", d.metric());
      MetricsJson.num(x, "difference", d.estimate());
      MetricsJson.interval(x, "ci95", d.ci());
      if (d.ci() == null) {
        x.putNull("excludes_zero");
      } else {
        x.put("excludes_zero", d.ci().lo() > 0 || d.ci().hi() < 0);
      }
    }
    ArrayNode notes = o.putArray("notes");
    e.notes().forEach(notes::add);
    return o;
  }
}
