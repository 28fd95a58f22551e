package io.carrot.core.eval;

import io.carrot.core.CarrotException;
import io.carrot.core.ProgressListener;
import io.carrot.core.curve.Baselines;
import io.carrot.core.curve.BudgetCurves;
import io.carrot.core.curve.ChoiceCurve;
import io.carrot.core.curve.EvalSet;
import io.carrot.core.curve.OracleCurve;
import io.carrot.core.curve.RandomMixCurve;
import io.carrot.core.curve.RouterCurve;
import io.carrot.core.curve.RouterSweep;
import io.carrot.core.curve.SingleModels;
import io.carrot.core.curve.ZeroRouterCurve;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.core.eval.EvalReport.BudgetKnob;
import io.carrot.core.eval.EvalReport.CalibrationResult;
import io.carrot.core.eval.EvalReport.Deployment;
import io.carrot.core.eval.EvalReport.Difference;
import io.carrot.core.eval.EvalReport.FloorRow;
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
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.predict.calibration.CalibratedPredictor;
import io.carrot.core.predict.knn.KnnPredictor;
import io.carrot.core.predict.knn.KnnTrainer;
import io.carrot.core.route.BudgetCurve;
import io.carrot.core.route.Router;
import io.carrot.core.train.Estimator;
import io.carrot.core.train.Estimators;
import io.carrot.core.train.RouterTrainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

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

  private static final String QUALITY_ONLY = "quality-only";
  private static final String STATIC = "static";
  private static final String BINARY = "binary";
  private static final String ZERO = "zero-router";
  private static final String RANDOM = "random";
  private static final String ORACLE = "oracle";
  /** The reference curve of the paper's estimator when CARROT is evaluated with another one. */
  public static final String CARROT_KNN = "carrot-knn";

  /** Supplies the embeddings of a split's prompts (from a cached embedder or a file). */
  @FunctionalInterface
  public interface SplitEmbeddings {
    float[][] embed(Split split, List<PromptRecord> rows);
  }

  private EvaluationHarness() {}

  /**
   * Runs the evaluation.
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
    boolean auto = router == null && options.estimator().equals(io.carrot.core.train.AutoSelect.NAME);
    Estimator estimator = router == null && !auto ? Estimators.get(options.estimator()) : null;
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

    long t = System.nanoTime();
    float[][] trE = trainRows.isEmpty() ? null : vectors.embed(Split.TRAIN, trainRows);
    float[][] vaE = valRows.isEmpty() ? null : vectors.embed(Split.VALIDATION, valRows);
    float[][] teE = vectors.embed(Split.TEST, testRows);
    seconds.put("embeddings", since(t));

    t = System.nanoTime();
    boolean fitted = router == null;
    Router knnReference = null; // the paper's CARROT-KNN on the same split, when the router is something else
    if (router == null) {
      TrainingSet valSet = vaE == null ? null : RouterTrainer.trainingSet(d, valRows, vaE);
      Map<String, String> settings = new LinkedHashMap<>(options.settings());
      settings.putIfAbsent("seed", Long.toString(options.seed()));
      Map<String, String> extra = new LinkedHashMap<>(options.settings());
      extra.put("estimator", options.estimator());
      extra.put("splits", "train");
      if (auto) {
        if (valRows.isEmpty()) {
          throw new CarrotException("--estimator auto compares estimators on the validation split, which is empty");
        }
        io.carrot.core.train.AutoSelect.Selection sel = io.carrot.core.train.AutoSelect.select(
            d, trainRows, trE, valRows, vaE, settings, embedderId, tokenCounterId, extra, progress);
        StringBuilder b = new StringBuilder("--estimator auto chose " + sel.best().estimator() + " by validation AIQ (");
        for (io.carrot.core.train.AutoSelect.Trial tr : sel.trials()) {
          b.append(String.format(java.util.Locale.ROOT, "%s%s %.4f", tr == sel.trials().get(0) ? "" : ", ", tr.estimator(), tr.validationAiq()));
        }
        notes.add(b.append(").").toString());
        router = sel.best().router();
        if (!sel.best().estimator().equals(KnnPredictor.KIND)) {
          knnReference = sel.trials().stream().filter(tr -> tr.estimator().equals(KnnPredictor.KIND)).map(
              io.carrot.core.train.AutoSelect.Trial::router).findFirst().orElse(null);
        }
      } else {
        router =
            RouterTrainer.train(
                d, trainRows, trE, ts -> estimator.fit(ts, valSet, settings, progress), options.seed(), embedderId, tokenCounterId, extra);
      }
    } else if (!router.provenance().embedderId().equals(embedderId)) {
      notes.add("The router was trained with embedder '" + router.provenance().embedderId() + "'; it is evaluated with '"
          + embedderId + "'.");
    }
    requireDimension(router, teE, embedderId);
    // fitted here: named after the estimator asked for (its predictor may be a wrapper kind)
    String family = fitted ? options.estimator() : router.provenance().extra().getOrDefault("estimator", router.predictor().kind());
    if (knnReference == null && !auto && !family.equals(KnnPredictor.KIND) && !trainRows.isEmpty()) {
      knnReference = knnReference(d, trainRows, trE, valRows, vaE, options, embedderId, tokenCounterId, progress);
    }
    seconds.put("fit", since(t));

    t = System.nanoTime();
    // Sparse data: the estimator learnt from every entry; baselines and checks use complete prompts.
    int trainCount = trainRows.size();
    int valCount = valRows.size();
    if (!trainRows.isEmpty()) {
      boolean[] keep = completeMask(trainRows);
      trE = select(trE, keep);
      trainRows = EvalSet.completeRows(trainRows);
    }
    if (!valRows.isEmpty()) {
      boolean[] keep = completeMask(valRows);
      vaE = select(vaE, keep);
      valRows = EvalSet.completeRows(valRows);
      if (valRows.isEmpty()) {
        vaE = null;
      }
    }
    EvalSet test = EvalSet.of(d, testRows);
    EvalSet val = valRows.isEmpty() ? null : EvalSet.of(d, valRows);
    Prediction[] pTest = router.predictor().predictAll(teE);
    double[] mus = grid(options.muSteps());
    String carrot = "carrot-" + family;
    RouterSweep sweep = new RouterSweep(test, router, pTest);
    ChoiceCurve carrotCurve = ChoiceCurve.of(test, "mu", mus, p -> sweep.choices(mus[p]));

    Map<String, Entry> curves = new LinkedHashMap<>();
    curves.put(carrot, new Entry(carrotCurve, describe(router, family), true));
    if (knnReference != null) {
      Router ref = knnReference;
      RouterSweep ks = new RouterSweep(test, ref, ref.predictor().predictAll(teE));
      curves.put(CARROT_KNN, new Entry(ChoiceCurve.of(test, "mu", mus, p -> ks.choices(mus[p])),
          "the paper's CARROT-KNN (k = " + ref.predictor().hyperParameters().get("k") + ") fitted on the same train split, for reference", true));
    }
    double[] meanTokens = null;
    if (!trainRows.isEmpty()) {
      int m = d.modelCount();
      double[] meanQ = new double[m];
      meanTokens = new double[m];
      for (PromptRecord r : trainRows) {
        for (int j = 0; j < m; j++) {
          meanQ[j] += r.scores()[j] / trainRows.size();
          meanTokens[j] += r.outputTokens()[j] / trainRows.size();
        }
      }
      Prediction[] qOnly = new Prediction[pTest.length];
      Prediction[] stat = new Prediction[pTest.length];
      for (int i = 0; i < pTest.length; i++) {
        qOnly[i] = new Prediction(pTest[i].quality(), meanTokens);
        stat[i] = new Prediction(meanQ, meanTokens);
      }
      RouterSweep qs = new RouterSweep(test, router, qOnly);
      RouterSweep ss = new RouterSweep(test, router, stat);
      curves.put(QUALITY_ONLY, new Entry(ChoiceCurve.of(test, "mu", mus, p -> qs.choices(mus[p])),
          carrot + "'s quality predictions with a constant cost per model (train mean output tokens x price); "
              + "its mu = 0 point is argmax predicted quality (ERM)", true));
      curves.put(STATIC, new Entry(ChoiceCurve.of(test, "mu", mus, p -> ss.choices(mus[p])),
          "per-model train mean quality and output tokens, same rule, no prompt features", true));
      Entry binary = binary(d, trainRows, trE, val, vaE, test, teE, options, router.predictor(), progress, notes);
      if (binary != null) {
        curves.put(BINARY, binary);
      }
    } else {
      notes.add("The dataset has no train split: the static, quality-only and binary baselines need one and are skipped.");
    }
    List<Point> singlePoints = SingleModels.points(test, null);
    int best = Anchors.best(singlePoints);
    int weak = Anchors.weak(singlePoints);
    Anchors anchors = Anchors.of(singlePoints, best, weak);
    curves.put(ZERO, new Entry(new ZeroRouterCurve(test), "upper convex hull of the single models: mixing them without looking at the prompt", false));
    curves.put(RANDOM, new Entry(new RandomMixCurve(test, weak, best, 100),
        "each prompt to " + d.models().get(best) + " with probability s, else to " + d.models().get(weak) + " (expected value)", false));
    curves.put(ORACLE, new Entry(new OracleCurve(test),
        "per prompt the best true choice at every price of quality; its top is the cheapest best model per prompt", false));
    Point oracle = Baselines.oracle(test);

    Map<String, List<Point>> points = new LinkedHashMap<>();
    Map<String, RouterMetrics> metrics = new LinkedHashMap<>();
    curves.forEach(
        (name, e) -> {
          List<Point> pts = e.curve.points();
          points.put(name, pts);
          metrics.put(name, RouterMetrics.of(pts, anchors, accuracyMu0(name, e, pts)));
        });
    seconds.put("sweeps", since(t));

    t = System.nanoTime();
    Bootstrapped boot = bootstrap(test, curves, best, weak, options, progress);
    seconds.put("bootstrap", since(t));

    Map<String, RouterResult> routers = new LinkedHashMap<>();
    for (String name : curves.keySet()) {
      Entry e = curves.get(name);
      routers.put(name, new RouterResult(name, e.description, e.curve.paramName(), points.get(name), metrics.get(name),
          boot == null ? Map.of() : boot.ci.get(name)));
    }
    List<Difference> diffs = new ArrayList<>();
    for (String b : curves.keySet()) {
      if (!b.equals(carrot) && !b.equals(ORACLE)) {
        diffs.add(new Difference(carrot, b, "aiq", metrics.get(carrot).aiq() - metrics.get(b).aiq(),
            boot == null ? null : boot.diffAiq.get(b)));
      }
    }
    diffs.add(new Difference(carrot, "single:" + d.models().get(best), "accuracy_mu0",
        metrics.get(carrot).accuracyMu0() - anchors.bestQuality(), boot == null ? null : boot.diffAccuracy));

    List<SingleModel> singles = new ArrayList<>();
    for (int m = 0; m < d.modelCount(); m++) {
      singles.add(new SingleModel(d.models().get(m), singlePoints.get(m).cost(), singlePoints.get(m).quality()));
    }
    double[][] predTokens = new double[pTest.length][];
    for (int i = 0; i < pTest.length; i++) {
      predTokens[i] = pTest[i].outputTokens();
    }
    Map<String, Double> mae = new LinkedHashMap<>();
    mae.put(carrot, MetricFormulas.meanAbsoluteError(predTokens, test.outputTokens()));
    if (meanTokens != null) {
      double[][] constant = new double[pTest.length][];
      Arrays.fill(constant, meanTokens);
      mae.put("train-mean", MetricFormulas.meanAbsoluteError(constant, test.outputTokens()));
    }
    if (val == null && !Double.isNaN(options.targetCost())) {
      throw new CarrotException("the target-cost check picks mu on the validation split, but the dataset has none");
    }
    Prediction[] pVal = val == null ? null : router.predictor().predictAll(vaE);
    Deployment deployment = Double.isNaN(options.targetCost()) ? null : deploy(router, val, pVal, carrotCurve, mus, options.targetCost());
    t = System.nanoTime();
    List<CalibrationResult> calibration = new ArrayList<>();
    calibration.add(KnobChecks.calibration("router", carrot + "'s predicted quality", test, sweep, pTest));
    if (router.predictor() instanceof CalibratedPredictor cp) {
      Prediction[] raw = cp.base().predictAll(teE);
      calibration.add(KnobChecks.calibration("uncalibrated",
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
    } else {
      budget = KnobChecks.budget(test, testRows.stream().map(PromptRecord::prompt).toList(), sweep, curve, curveSource,
          options.bootstrap(), options.seed());
    }
    List<FloorRow> floors = KnobChecks.floors(test, sweep, options.bootstrap(), options.seed());
    seconds.put("knobs", since(t));
    List<String> sanity = sanity(points, singlePoints, d.models());
    seconds.put("total", since(t0));
    return new EvalReport(
        d.name(),
        d.sha256(),
        trainCount,
        valCount,
        testRows.size(),
        embedderId,
        carrot,
        info(router, family),
        singles,
        d.models().get(best),
        boot == null ? null : boot.bestQuality,
        oracle,
        boot == null ? null : boot.oracleQuality,
        anchors,
        routers,
        diffs,
        selection(sweep, d.models()),
        topTieShare(pTest),
        mae,
        deployment,
        calibration,
        budget,
        floors,
        sanity,
        notes,
        options,
        seconds);
  }

  /** CARROT-KNN fitted on the same train split with the same k setting: the paper's router, for comparison. */
  private static Router knnReference(
      Dataset d, List<PromptRecord> trainRows, float[][] trE, List<PromptRecord> valRows, float[][] vaE, EvalOptions options,
      String embedderId, String tokenCounterId, ProgressListener progress) {
    TrainingSet valSet = vaE == null ? null : RouterTrainer.trainingSet(d, valRows, vaE);
    Map<String, String> settings = new LinkedHashMap<>(options.settings());
    settings.putIfAbsent("seed", Long.toString(options.seed()));
    Map<String, String> extra = new LinkedHashMap<>(options.settings());
    extra.put("estimator", KnnPredictor.KIND);
    extra.put("splits", "train");
    Estimator knn = Estimators.get(KnnPredictor.KIND);
    return RouterTrainer.train(d, trainRows, trE, ts -> knn.fit(ts, valSet, settings, progress), options.seed(), embedderId,
        tokenCounterId, extra);
  }

  private record Entry(RouterCurve curve, String description, boolean hasMu) {}

  private static double accuracyMu0(String name, Entry e, List<Point> pts) {
    if (e.hasMu) {
      return pts.get(0).quality(); // the grid starts at mu = 0
    }
    if (name.equals(ORACLE)) {
      return pts.get(pts.size() - 1).quality();
    }
    return Double.NaN;
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

  private static void requireDimension(Router router, float[][] e, String embedderId) {
    int want = router.predictor().dimension();
    if (e.length > 0 && e[0].length != want) {
      throw new CarrotException(
          "the router expects " + want + "-dimensional embeddings (embedder '" + router.provenance().embedderId()
              + "') but embedder '" + embedderId + "' gives " + e[0].length + "; evaluate with the router's embedder");
    }
  }

  private static String describe(Router r, String family) {
    Predictor p = r.predictor();
    StringBuilder sb = new StringBuilder("CARROT with the " + family + " estimator");
    if (!family.equals(p.kind())) {
      sb.append(" (a ").append(p.kind()).append(" predictor)");
    }
    Object k = p.hyperParameters().get("k");
    if (k != null) {
      sb.append(" (k = ").append(k).append(')');
    }
    return sb.append(", mu swept").toString();
  }

  private static Map<String, Object> info(Router r, String family) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("estimator", family);
    m.put("predictor_kind", r.predictor().kind());
    m.put("hyper_parameters", r.predictor().hyperParameters());
    m.put("cost_scale", r.costScale());
    m.put("trained_on", r.provenance().dataset());
    m.put("train_prompts", r.provenance().trainPrompts());
    m.put("embedder", r.provenance().embedderId());
    m.put("seed", r.provenance().seed());
    m.put("carrot_version", r.provenance().carrotVersion());
    return m;
  }

  /** The RouteLLM-style binary router, or null (with a note) when it cannot be built. */
  private static Entry binary(
      Dataset d,
      List<PromptRecord> trainRows,
      float[][] trE,
      EvalSet val,
      float[][] vaE,
      EvalSet test,
      float[][] teE,
      EvalOptions options,
      Predictor carrot,
      ProgressListener progress,
      List<String> notes) {
    int m = d.modelCount();
    ModelPrice[] prices = d.priceArray();
    double[] q = new double[m];
    double[] c = new double[m];
    for (PromptRecord r : trainRows) {
      for (int j = 0; j < m; j++) {
        q[j] += r.scores()[j];
        c[j] += r.trueCost(j, prices[j]);
      }
    }
    int strong = 0;
    for (int j = 1; j < m; j++) {
      if (q[j] > q[strong] || (q[j] == q[strong] && c[j] < c[strong])) {
        strong = j;
      }
    }
    List<Integer> cands = new ArrayList<>();
    for (int j = 0; j < m; j++) {
      if (c[j] < c[strong]) {
        cands.add(j);
      }
    }
    if (cands.isEmpty()) {
      notes.add("The binary router is skipped: the best model on train (" + d.models().get(strong) + ") is also the cheapest.");
      return null;
    }
    int n = trainRows.size();
    int k = cands.size();
    double[][] wins = new double[n][k];
    double[][] zeros = new double[n][k];
    List<String> names = new ArrayList<>(k);
    for (int a = 0; a < k; a++) {
      names.add(d.models().get(strong) + ">" + d.models().get(cands.get(a)));
    }
    for (int i = 0; i < n; i++) {
      double[] s = trainRows.get(i).scores();
      for (int a = 0; a < k; a++) {
        wins[i][a] = s[strong] > s[cands.get(a)] ? 1 : 0;
      }
    }
    String kSetting = options.settings().getOrDefault("k", "auto");
    // With k chosen by CV and a k-NN CARROT, its k is reused: a second CV over the same
    // neighbourhoods would cost as much as the first.
    if (kSetting.equals("auto") && carrot.hyperParameters().get("k") instanceof Integer ck) {
      kSetting = ck.toString();
    }
    KnnTrainer kt = Estimators.knnTrainer(kSetting).withSeed(options.seed());
    long total = kt.cvQueryCount(n);
    Predictor win = kt.fit(new TrainingSet(names, trE, wins, zeros), done -> progress.update("binary router: choosing k", done, total));
    double[] thresholds = new double[options.muSteps() + 2];
    for (int s = 0; s < thresholds.length; s++) {
      thresholds[s] = (double) (s - 1) / options.muSteps(); // the first, below 0, sends everything to strong
    }
    EvalSet sel = val;
    float[][] selE = vaE;
    if (sel == null) {
      sel = EvalSet.of(d, trainRows);
      selE = trE;
      notes.add("No validation split: the binary router's weak model is chosen on train (in-sample).");
    }
    Prediction[] pSel = win.predictAll(selE);
    Anchors selAnchors = Anchors.of(SingleModels.points(sel, null));
    int bestA = -1;
    double bestAiq = Double.NEGATIVE_INFINITY;
    for (int a = 0; a < k; a++) {
      ChoiceCurve cc = thresholdCurve(sel, pSel, a, strong, cands.get(a), thresholds);
      double aiq = MetricFormulas.aiq(Frontier.of(cc.points()), selAnchors);
      if (aiq > bestAiq) {
        bestAiq = aiq;
        bestA = a;
      }
    }
    Prediction[] pTest = win.predictAll(teE);
    int weak = cands.get(bestA);
    String desc =
        String.format(Locale.ROOT,
            "RouteLLM style: strong %s vs weak %s (the weak one chosen among %d cheaper models by %s AIQ %.4f); "
                + "P(strong is better) by k-NN (k = %s), to strong when above the threshold, swept",
            d.models().get(strong), d.models().get(weak), k, val == null ? "train" : "validation", bestAiq,
            win.hyperParameters().getOrDefault("k", "?"));
    return new Entry(thresholdCurve(test, pTest, bestA, strong, weak, thresholds), desc, false);
  }

  private static ChoiceCurve thresholdCurve(EvalSet set, Prediction[] p, int column, int strong, int weak, double[] thresholds) {
    return ChoiceCurve.of(
        set,
        "threshold",
        thresholds,
        s -> {
          int[] ch = new int[set.size()];
          for (int i = 0; i < ch.length; i++) {
            ch[i] = p[i].quality()[column] > thresholds[s] ? strong : weak;
          }
          return ch;
        });
  }

  private static boolean[] completeMask(List<PromptRecord> rows) {
    boolean[] keep = new boolean[rows.size()];
    for (int i = 0; i < keep.length; i++) {
      keep[i] = rows.get(i).complete();
    }
    return keep;
  }

  private static float[][] select(float[][] rows, boolean[] keep) {
    List<float[]> out = new java.util.ArrayList<>();
    for (int i = 0; i < keep.length; i++) {
      if (keep[i]) {
        out.add(rows[i]);
      }
    }
    return out.toArray(new float[0][]);
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
    Frontier oracle = Frontier.of(points.get(ORACLE));
    Map<String, List<Point>> all = new LinkedHashMap<>(points);
    List<Point> named = new ArrayList<>();
    for (Point p : singles) {
      named.add(p);
    }
    all.put("single models", named);
    all.forEach(
        (name, pts) -> {
          if (name.equals(ORACLE)) {
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
    Frontier zero = Frontier.of(points.get(ZERO));
    for (Point p : singles) {
      double z = zero.qualityAt(p.cost());
      if (z < p.quality() - tol) {
        out.add(String.format(Locale.ROOT, "zero router: its hull (%.6f) is below single model %s (%.6f) at cost %.6g",
            z, models.get((int) p.param()), p.quality(), p.cost()));
      }
    }
    return out;
  }

  private record Bootstrapped(
      Map<String, Map<String, Interval>> ci, Map<String, Interval> diffAiq, Interval diffAccuracy, Interval bestQuality, Interval oracleQuality) {}

  private static Bootstrapped bootstrap(EvalSet test, Map<String, Entry> curves, int best, int weak, EvalOptions o, ProgressListener progress) {
    int b = o.bootstrap();
    if (b == 0) {
      return null;
    }
    List<String> names = new ArrayList<>(curves.keySet());
    String carrot = names.get(0);
    List<String> metricNames = RouterMetrics.NAMES;
    // values[router][metric][resample]
    double[][][] values = new double[names.size()][metricNames.size()][b];
    double[] bestQ = new double[b];
    double[] oracleQ = new double[b];
    int n = test.size();
    AtomicInteger done = new AtomicInteger();
    IntStream.range(0, b)
        .parallel()
        .forEach(
            r -> {
              SplittableRandom rnd = new SplittableRandom(o.seed() * 1_000_003L + r);
              int[] w = new int[n];
              for (int i = 0; i < n; i++) {
                w[rnd.nextInt(n)]++;
              }
              List<Point> singles = SingleModels.points(test, w);
              Anchors a = Anchors.of(singles, best, weak);
              bestQ[r] = a.bestQuality();
              for (int x = 0; x < names.size(); x++) {
                Entry e = curves.get(names.get(x));
                List<Point> pts = e.curve.points(w);
                double[] mv = RouterMetrics.of(pts, a, accuracyMu0(names.get(x), e, pts)).asMap().values().stream()
                    .mapToDouble(Double::doubleValue).toArray();
                for (int y = 0; y < mv.length; y++) {
                  values[x][y][r] = mv[y];
                }
                if (names.get(x).equals(ORACLE)) {
                  oracleQ[r] = pts.get(pts.size() - 1).quality();
                }
              }
              progress.update("bootstrap", done.incrementAndGet(), b);
            });
    Map<String, Map<String, Interval>> ci = new LinkedHashMap<>();
    int aiq = metricNames.indexOf("aiq");
    int acc = metricNames.indexOf("accuracy_mu0");
    Map<String, Interval> diffAiq = new LinkedHashMap<>();
    for (int x = 0; x < names.size(); x++) {
      Map<String, Interval> per = new LinkedHashMap<>();
      for (int y = 0; y < metricNames.size(); y++) {
        Interval iv = percentile(values[x][y]);
        if (iv != null) {
          per.put(metricNames.get(y), iv);
        }
      }
      ci.put(names.get(x), per);
      double[] d = new double[b];
      for (int r = 0; r < b; r++) {
        d[r] = values[0][aiq][r] - values[x][aiq][r];
      }
      diffAiq.put(names.get(x), percentile(d));
    }
    double[] da = new double[b];
    for (int r = 0; r < b; r++) {
      da[r] = values[0][acc][r] - bestQ[r];
    }
    diffAiq.remove(carrot);
    return new Bootstrapped(ci, diffAiq, percentile(da), percentile(bestQ), percentile(oracleQ));
  }

  /**
   * The 2.5% and 97.5% percentiles (nearest rank). NaN counts as "never" (+infinity): an upper
   * bound there is reported as NaN (unbounded). Null when every value is NaN.
   */
  static Interval percentile(double[] v) {
    double[] s = new double[v.length];
    int nan = 0;
    for (int i = 0; i < v.length; i++) {
      s[i] = Double.isNaN(v[i]) ? Double.POSITIVE_INFINITY : v[i];
      if (Double.isNaN(v[i])) {
        nan++;
      }
    }
    if (nan == v.length) {
      return null;
    }
    Arrays.sort(s);
    double lo = s[rank(0.025, s.length)];
    double hi = s[rank(0.975, s.length)];
    return new Interval(Double.isInfinite(lo) ? Double.NaN : lo, Double.isInfinite(hi) ? Double.NaN : hi);
  }

  private static int rank(double p, int n) {
    return Math.min(n - 1, Math.max(0, (int) Math.ceil(p * n) - 1));
  }
}
