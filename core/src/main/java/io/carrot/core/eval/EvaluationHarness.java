package io.carrot.core.eval;

import io.carrot.core.CarrotException;
import io.carrot.core.ProgressListener;
import io.carrot.core.curve.Baselines;
import io.carrot.core.curve.ChoiceCurve;
import io.carrot.core.curve.EvalSet;
import io.carrot.core.curve.OracleCurve;
import io.carrot.core.curve.RouterSweep;
import io.carrot.core.curve.SingleModels;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.core.eval.EvalReport.Difference;
import io.carrot.core.eval.EvalReport.Interval;
import io.carrot.core.eval.EvalReport.RouterResult;
import io.carrot.core.eval.EvalReport.Selection;
import io.carrot.core.eval.EvalReport.SingleModel;
import io.carrot.core.metrics.Anchors;
import io.carrot.core.metrics.Frontier;
import io.carrot.core.metrics.MetricFormulas;
import io.carrot.core.metrics.Point;
import io.carrot.core.metrics.RouterMetrics;
import io.carrot.core.predict.Prediction;
import io.carrot.core.route.Router;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The paper's experiment on one dataset: fit CARROT on train (or take a given router), choose what
 * needs choosing on validation, sweep mu on test, run every baseline on the same test prompts,
 * compute every {@link MetricFormulas metric}, bootstrap confidence intervals over test prompts, run the
 * sanity checks.
 *
 * <p>Baselines (all judged on the same test prompts):
 *
 * <ul>
 *   <li>{@code quality-only}: CARROT's quality predictions with a constant cost per model (train
 *       mean output tokens): the cost-aware rule without a cost predictor; its mu = 0 point is the
 *       ERM router, argmax predicted quality;
 *   <li>{@code static}: per-model train mean quality and output tokens, same rule, no prompt features;
 *   <li>{@code binary}: RouteLLM style; the strong model is the best on train, the weak one the
 *       cheaper model whose router has the best AIQ on validation; P(strong is better) by k-NN on
 *       the same embeddings; route to strong when it exceeds the threshold, swept;
 *   <li>{@code zero-router}: the upper convex hull of the single models (RouterBench);
 *   <li>{@code random}: random mix of the cheapest and the best single model;
 *   <li>{@code oracle}: the exact frontier of per-prompt best choices ({@link OracleCurve}).
 * </ul>
 *
 * <p>It also checks what the user-facing knobs promise ({@link KnobChecks}): calibration of
 * CARROT's predicted quality (and of its predictor before the calibration map, if it has one), the
 * budget knob against the spend curve (the router's stored one, else measured on validation), and
 * the quality floor.
 */
public final class EvaluationHarness {
  /** Columns of the model-selection heatmap: mu = 0, 0.02, ..., 1. */
  static final int SELECTION_STEPS = 50;

  /** The reference curve of the paper's estimator when CARROT is evaluated with another one. */
  public static final String CARROT_KNN = "carrot-knn";

  /** Supplies the embeddings of a split's prompts (from a cached embedder or a file). */
  @FunctionalInterface
  public interface SplitEmbeddings {
    float[][] embed(Split split, List<PromptRecord> rows);
  }

  private EvaluationHarness() {}

  /**
   * Runs the evaluation, stage by stage: {@link #inputs inputs}, {@link FitAndSelect fit and
   * select}, {@link BaselineCurves baselines}, {@link BootstrapMetrics metrics and bootstrap},
   * {@link KnobChecks#run knob checks}, {@link #sanity sanity}.
   *
   * @param router the router to evaluate, or null to fit {@code options.estimator()} on train
   * @param embedderId id of the embedder behind {@code vectors} (recorded; must be the router's)
   */
  public static EvalReport run(
      Dataset data,
      SplitEmbeddings vectors,
      Router router,
      String embedderId,
      String tokenCounterId,
      EvalOptions options,
      ProgressListener progress) {
    long t0 = System.nanoTime();
    Map<String, Double> seconds = new LinkedHashMap<>();
    List<String> notes = new ArrayList<>();
    long t = System.nanoTime();
    Inputs in = inputs(data, vectors, router, notes);
    seconds.put("embeddings", since(t));

    t = System.nanoTime();
    FitAndSelect fit = FitAndSelect.run(in.d, in.trainRows, in.trE, in.valRows, in.vaE, in.teE, router, embedderId, tokenCounterId,
        options, progress, notes);
    seconds.put("fit", since(t));

    t = System.nanoTime();
    // Sparse data: the estimator learnt from every entry; baselines and checks use complete prompts.
    Inputs complete = in.complete();
    Dataset d = in.d;
    EvalSet test = EvalSet.of(d, in.testRows);
    EvalSet val = complete.valRows.isEmpty() ? null : EvalSet.of(d, complete.valRows);
    Prediction[] pTest = fit.router().predictor().predictAll(in.teE);
    double[] mus = grid(options.muSteps());
    String carrot = fit.carrotName();
    double[][] meanTokens = new double[1][];
    Map<String, NamedCurve> curves = BaselineCurves.trained(d, fit, complete.trainRows, complete.trE, val, complete.vaE, test, in.teE,
        pTest, mus, options, progress, notes, meanTokens);
    List<Point> singlePoints = SingleModels.points(test, null);
    int best = Anchors.best(singlePoints);
    int weak = Anchors.weak(singlePoints);
    Anchors anchors = Anchors.of(singlePoints, best, weak);
    BaselineCurves.blind(curves, test, d.models(), best, weak);
    Point oracle = Baselines.oracle(test);
    BootstrapMetrics measured = BootstrapMetrics.measure(curves, anchors);
    seconds.put("sweeps", since(t));

    t = System.nanoTime();
    measured = measured.resample(test, curves, best, weak, options.bootstrap(), options.seed(), progress);
    seconds.put("bootstrap", since(t));
    Map<String, RouterResult> routers = results(curves, measured);
    List<Difference> diffs = differences(carrot, curves.keySet(), measured, anchors, "single:" + d.models().get(best));

    List<SingleModel> singles = new ArrayList<>();
    for (int m = 0; m < d.modelCount(); m++) {
      singles.add(new SingleModel(d.models().get(m), singlePoints.get(m).cost(), singlePoints.get(m).quality()));
    }
    Map<String, Double> mae = outputTokenMae(carrot, pTest, meanTokens[0], test);
    t = System.nanoTime();
    KnobChecks.Knobs knobs = KnobChecks.run(fit.router(), carrot, val, complete.vaE, test, in.teE,
        in.testRows.stream().map(PromptRecord::prompt).toList(), pTest, (ChoiceCurve) curves.get(carrot).curve(), mus, options, notes);
    seconds.put("knobs", since(t));
    List<String> sanity = sanity(measured.points(), singlePoints, d.models());
    seconds.put("total", since(t0));
    return new EvalReport(
        d.name(),
        d.sha256(),
        in.trainRows.size(),
        in.valRows.size(),
        in.testRows.size(),
        embedderId,
        carrot,
        fit.info(),
        singles,
        d.models().get(best),
        measured.resampled() ? BootstrapMetrics.percentile(measured.bestQuality()) : null,
        oracle,
        measured.resampled() ? BootstrapMetrics.percentile(measured.oracleQuality()) : null,
        anchors,
        routers,
        diffs,
        selection(new RouterSweep(test, fit.router(), pTest), d.models()),
        topTieShare(pTest),
        mae,
        knobs.deployment(),
        knobs.calibration(),
        knobs.budget(),
        knobs.floors(),
        sanity,
        notes,
        options,
        seconds,
        null,
        List.of());
  }

  /**
   * What an evaluation runs on: the dataset (restricted to the router's models), the rows of each
   * split (test: complete prompts only) and their embeddings (null for an empty split).
   */
  record Inputs(
      Dataset d,
      List<PromptRecord> trainRows,
      float[][] trE,
      List<PromptRecord> valRows,
      float[][] vaE,
      List<PromptRecord> testRows,
      float[][] teE) {

    /** The same with train and validation restricted to complete prompts (validation: null embeddings when none is). */
    Inputs complete() {
      List<PromptRecord> tr = trainRows;
      float[][] te = trE;
      if (!trainRows.isEmpty()) {
        te = EvalSet.completeEmbeddings(trainRows, trE);
        tr = EvalSet.completeRows(trainRows);
      }
      List<PromptRecord> va = valRows;
      float[][] ve = vaE;
      if (!valRows.isEmpty()) {
        ve = EvalSet.completeEmbeddings(valRows, vaE);
        va = EvalSet.completeRows(valRows);
        if (va.isEmpty()) {
          ve = null;
        }
      }
      return new Inputs(d, tr, te, va, ve, testRows, teE);
    }
  }

  /**
   * The inputs stage: refuses what cannot be evaluated (fewer than 2 models, a router trained on
   * models the dataset lacks, no complete test prompt), restricts the dataset to the router's
   * models, and embeds the three splits.
   */
  static Inputs inputs(Dataset data, SplitEmbeddings vectors, Router router, List<String> notes) {
    if (data.modelCount() < 2) {
      throw new CarrotException(
          "dataset '" + data.name() + "' has " + data.modelCount() + " model " + data.models()
              + "; routing needs at least 2 models");
    }
    Dataset d = data;
    if (router != null) {
      List<String> missing = router.models().stream().filter(m -> !data.models().contains(m)).toList();
      if (!missing.isEmpty()) {
        throw new CarrotException(
            "the router was trained on models " + router.models() + " but dataset '" + data.name() + "' lacks "
                + missing + "; evaluate it on a dataset that has every one of its models");
      }
      if (!router.models().equals(data.models())) {
        notes.add("The dataset has " + data.modelCount() + " models; the router knows " + router.models().size()
            + ", so only those are evaluated.");
        d = data.withModels(router.models());
      }
    }
    List<PromptRecord> testRows = EvalSet.completeRows(d.requireRows(Split.TEST));
    int droppedTest = d.rows(Split.TEST).size() - testRows.size();
    if (testRows.isEmpty()) {
      throw new CarrotException(
          "no test prompt of dataset '" + d.name() + "' has an entry for every model " + d.models()
              + "; evaluation compares the models on the same prompts");
    }
    if (droppedTest > 0) {
      notes.add(droppedTest + " test prompts lack an entry for some model (sparse dataset) and are left out:"
          + " every curve is measured on the " + testRows.size() + " prompts where all models have one.");
    }
    List<PromptRecord> trainRows = router == null ? d.requireRows(Split.TRAIN) : d.rows(Split.TRAIN);
    List<PromptRecord> valRows = d.rows(Split.VALIDATION);
    float[][] trE = trainRows.isEmpty() ? null : vectors.embed(Split.TRAIN, trainRows);
    float[][] vaE = valRows.isEmpty() ? null : vectors.embed(Split.VALIDATION, valRows);
    float[][] teE = vectors.embed(Split.TEST, testRows);
    return new Inputs(d, trainRows, trE, valRows, vaE, testRows, teE);
  }

  /** Each router's result: its points, metrics and (with resamples) intervals. */
  private static Map<String, RouterResult> results(Map<String, NamedCurve> curves, BootstrapMetrics measured) {
    Map<String, Map<String, Interval>> ci = measured.resampled() ? measured.intervals() : null;
    Map<String, RouterResult> routers = new LinkedHashMap<>();
    for (String name : curves.keySet()) {
      NamedCurve e = curves.get(name);
      routers.put(name, new RouterResult(name, e.description(), e.curve().paramName(), measured.points().get(name),
          measured.metrics().get(name), ci == null ? Map.of() : ci.get(name)));
    }
    return routers;
  }

  /** CARROT's paired differences: its AIQ minus each baseline's, its mu = 0 accuracy minus the best single model's quality. */
  private static List<Difference> differences(
      String carrot, Set<String> names, BootstrapMetrics measured, Anchors anchors, String bestName) {
    List<Difference> diffs = new ArrayList<>();
    Map<String, RouterMetrics> metrics = measured.metrics();
    for (String b : names) {
      if (!b.equals(carrot) && !b.equals(BaselineCurves.ORACLE)) {
        diffs.add(new Difference(carrot, b, "aiq", metrics.get(carrot).aiq() - metrics.get(b).aiq(),
            measured.resampled() ? BootstrapMetrics.percentile(measured.pairedDifference(carrot, b, "aiq")) : null));
      }
    }
    diffs.add(new Difference(carrot, bestName, "accuracy_mu0", metrics.get(carrot).accuracyMu0() - anchors.bestQuality(),
        measured.resampled() ? BootstrapMetrics.percentile(measured.accuracyOverBest(carrot)) : null));
    return diffs;
  }

  /**
   * Output-token MAE of the router and of the train-mean baseline ({@code meanTokens}, null without
   * train); NaN for both when no test prompt has an output token (input-only costs: nothing to predict).
   */
  private static Map<String, Double> outputTokenMae(String carrot, Prediction[] pTest, double[] meanTokens, EvalSet test) {
    double[][] predTokens = new double[pTest.length][];
    for (int i = 0; i < pTest.length; i++) {
      predTokens[i] = pTest[i].outputTokens();
    }
    Map<String, Double> mae = new LinkedHashMap<>();
    boolean tokensToPredict = Arrays.stream(test.outputTokens()).flatMapToDouble(Arrays::stream).anyMatch(x -> x != 0);
    mae.put(carrot, tokensToPredict ? MetricFormulas.meanAbsoluteError(predTokens, test.outputTokens()) : Double.NaN);
    if (meanTokens != null) {
      double[][] constant = new double[pTest.length][];
      Arrays.fill(constant, meanTokens);
      mae.put("train-mean", tokensToPredict ? MetricFormulas.meanAbsoluteError(constant, test.outputTokens()) : Double.NaN);
    }
    return mae;
  }

  private static double since(long t) {
    return (System.nanoTime() - t) / 1e9;
  }

  static double[] grid(int steps) {
    double[] g = new double[steps + 1];
    for (int s = 0; s <= steps; s++) {
      g[s] = (double) s / steps;
    }
    return g;
  }

  private static double topTieShare(Prediction[] p) {
    int ties = 0;
    for (Prediction x : p) {
      double top = Double.NEGATIVE_INFINITY;
      int count = 0;
      for (double q : x.quality()) {
        if (q > top) {
          top = q;
          count = 1;
        } else if (q == top) {
          count++;
        }
      }
      ties += count > 1 ? 1 : 0;
    }
    return (double) ties / p.length;
  }

  private static Selection selection(RouterSweep sweep, List<String> models) {
    double[] mu = grid(SELECTION_STEPS);
    double[][] share = new double[models.size()][mu.length];
    for (int k = 0; k < mu.length; k++) {
      double[] s = MetricFormulas.selectionShare(sweep.choices(mu[k]), models.size());
      for (int m = 0; m < s.length; m++) {
        share[m][k] = s[m];
      }
    }
    return new Selection(models, mu, share);
  }

  /**
   * The oracle's frontier must be at or above every router's point, and the zero router's hull at or
   * above every single model; anything else is a bug in the data or the code.
   */
  static List<String> sanity(Map<String, List<Point>> points, List<Point> singles, List<String> models) {
    double tol = 1e-9;
    List<String> out = new ArrayList<>();
    Frontier oracle = Frontier.of(points.get(BaselineCurves.ORACLE));
    Map<String, List<Point>> all = new LinkedHashMap<>(points);
    List<Point> named = new ArrayList<>();
    for (Point p : singles) {
      named.add(p);
    }
    all.put("single models", named);
    all.forEach(
        (name, pts) -> {
          if (name.equals(BaselineCurves.ORACLE)) {
            return;
          }
          int shown = 0;
          for (Point p : pts) {
            double o = oracle.qualityAt(p.cost());
            if (o < p.quality() - tol && shown++ < 3) {
              out.add(String.format(Locale.ROOT, "%s at %s: quality %.6f at mean cost %.6g is above the oracle's %.6f",
                  name, name.equals("single models") ? models.get((int) p.param()) : "param " + p.param(), p.quality(), p.cost(), o));
            }
          }
        });
    Frontier zero = Frontier.of(points.get(BaselineCurves.ZERO));
    for (Point p : singles) {
      double z = zero.qualityAt(p.cost());
      if (z < p.quality() - tol) {
        out.add(String.format(Locale.ROOT, "zero router: its hull (%.6f) is below single model %s (%.6f) at cost %.6g",
            z, models.get((int) p.param()), p.quality(), p.cost()));
      }
    }
    return out;
  }
}
