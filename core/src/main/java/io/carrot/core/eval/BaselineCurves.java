package io.carrot.core.eval;

import io.carrot.core.ProgressListener;
import io.carrot.core.curve.ChoiceCurve;
import io.carrot.core.curve.EvalSet;
import io.carrot.core.curve.OracleCurve;
import io.carrot.core.curve.RandomMixCurve;
import io.carrot.core.curve.RouterSweep;
import io.carrot.core.curve.SingleModels;
import io.carrot.core.curve.ZeroRouterCurve;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.metrics.Anchors;
import io.carrot.core.metrics.Frontier;
import io.carrot.core.metrics.MetricFormulas;
import io.carrot.core.metrics.Point;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.predict.knn.KnnTrainer;
import io.carrot.core.route.Router;
import io.carrot.core.train.Estimators;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The baselines stage: every router of an evaluation as a curve on the test prompts. The trained
 * ones (CARROT, CARROT-KNN for reference, quality-only, static, binary) learn from train and choose
 * on validation; the blind ones (zero router, random, oracle) only need the test prompts.
 */
final class BaselineCurves {
  static final String QUALITY_ONLY = "quality-only";
  static final String STATIC = "static";
  static final String BINARY = "binary";
  static final String ZERO = "zero-router";
  static final String RANDOM = "random";
  static final String ORACLE = "oracle";
  static final String TASK_ONLY = "task-only";

  private BaselineCurves() {}

  /**
   * CARROT's curve and those of the baselines fitted on the same train split, in report order.
   *
   * @param trainRows complete training prompts (empty: the trained baselines are skipped, with a note)
   * @param val complete validation prompts, or null
   * @param pTest the router's predictions for the test prompts
   * @param meanTokensOut receives the per-model train mean output tokens (left null without train)
   */
  static Map<String, NamedCurve> trained(
      Dataset d,
      FitAndSelect fit,
      List<PromptRecord> trainRows,
      float[][] trE,
      EvalSet val,
      float[][] vaE,
      EvalSet test,
      float[][] teE,
      Prediction[] pTest,
      double[] mus,
      EvalOptions options,
      ProgressListener progress,
      List<String> notes,
      double[][] meanTokensOut) {
    Router router = fit.router();
    String carrot = fit.carrotName();
    Map<String, NamedCurve> curves = new LinkedHashMap<>();
    curves.put(carrot, new NamedCurve(muCurve(test, router, pTest, mus), fit.describe(), true));
    if (fit.knnReference() != null) {
      Router ref = fit.knnReference();
      curves.put(EvaluationHarness.CARROT_KNN, new NamedCurve(muCurve(test, ref, ref.predictor().predictAll(teE), mus),
          "the paper's CARROT-KNN (k = " + ref.predictor().hyperParameters().get("k") + ") fitted on the same train split, for reference", true));
    }
    if (trainRows.isEmpty()) {
      notes.add("The dataset has no train split: the static, quality-only and binary baselines need one and are skipped.");
      return curves;
    }
    int m = d.modelCount();
    double[] meanQ = new double[m];
    double[] meanTokens = new double[m];
    for (PromptRecord r : trainRows) {
      for (int j = 0; j < m; j++) {
        meanQ[j] += r.scores()[j] / trainRows.size();
        meanTokens[j] += r.outputTokens()[j] / trainRows.size();
      }
    }
    meanTokensOut[0] = meanTokens;
    Prediction[] qOnly = new Prediction[pTest.length];
    Prediction[] stat = new Prediction[pTest.length];
    for (int i = 0; i < pTest.length; i++) {
      qOnly[i] = new Prediction(pTest[i].quality(), meanTokens);
      stat[i] = new Prediction(meanQ, meanTokens);
    }
    curves.put(QUALITY_ONLY, new NamedCurve(muCurve(test, router, qOnly, mus),
        carrot + "'s quality predictions with a constant cost per model (train mean output tokens x price); "
            + "its mu = 0 point is argmax predicted quality (ERM)", true));
    curves.put(STATIC, new NamedCurve(muCurve(test, router, stat, mus),
        "per-model train mean quality and output tokens, same rule, no prompt features", true));
    NamedCurve binary = binary(d, trainRows, trE, val, vaE, test, teE, options, router.predictor(), progress, notes);
    if (binary != null) {
      curves.put(BINARY, binary);
    }
    return curves;
  }

  /** The router's choices on {@code set} at every mu of {@code mus}, with the given predictions. */
  static ChoiceCurve muCurve(EvalSet set, Router router, Prediction[] predictions, double[] mus) {
    RouterSweep sweep = new RouterSweep(set, router, predictions);
    return ChoiceCurve.of(set, "mu", mus, p -> sweep.choices(mus[p]));
  }

  /** The routers that need no training: zero router, random mix of {@code weak} and {@code best}, oracle. */
  static void blind(Map<String, NamedCurve> curves, EvalSet test, List<String> models, int best, int weak) {
    curves.put(ZERO, new NamedCurve(new ZeroRouterCurve(test), "upper convex hull of the single models: mixing them without looking at the prompt", false));
    curves.put(RANDOM, new NamedCurve(new RandomMixCurve(test, weak, best, 100),
        "each prompt to " + models.get(best) + " with probability s, else to " + models.get(weak) + " (expected value)", false));
    curves.put(ORACLE, new NamedCurve(new OracleCurve(test),
        "per prompt the best true choice at every price of quality; its top is the cheapest best model per prompt", false));
  }

  /**
   * Every prompt to the model with the best mean quality on {@code trainRows} (ties: lower mean true
   * cost): what routing without looking at the prompt does when it trusts the training data.
   */
  static NamedCurve bestOnTrain(Dataset d, List<PromptRecord> trainRows, EvalSet test) {
    List<Point> train = SingleModels.points(EvalSet.of(d, trainRows), null);
    int best = Anchors.best(train);
    int[] all = new int[test.size()];
    java.util.Arrays.fill(all, best);
    return new NamedCurve(ChoiceCurve.of(test, "", new double[] {0}, p -> all),
        "every prompt to " + d.models().get(best) + ", the best model on the training data (mean quality "
            + String.format(Locale.ROOT, "%.4f", train.get(best).quality()) + ")", true);
  }

  /**
   * Each test prompt predicted by its task alone: per model, the mean quality and output tokens of
   * the training prompts of its source (all training prompts for a source train lacks), under the
   * router's own rule and prices. What a router gains over it comes from the prompt beyond its task.
   * Null when the training prompts have fewer than two sources (it would be {@value #STATIC}).
   */
  static NamedCurve taskOnly(Dataset d, Router router, List<PromptRecord> trainRows, List<PromptRecord> testRows, EvalSet test,
      double[] mus) {
    int m = d.modelCount();
    Map<String, double[]> sums = new LinkedHashMap<>(); // per source: m qualities, m tokens, count
    for (PromptRecord r : trainRows) {
      for (String key : new String[] {sourceKey(r), null}) {
        double[] acc = sums.computeIfAbsent(key, x -> new double[2 * m + 1]);
        for (int j = 0; j < m; j++) {
          acc[j] += r.scores()[j];
          acc[m + j] += r.outputTokens()[j];
        }
        acc[2 * m]++;
      }
    }
    if (sums.size() < 3) { // one source and the whole
      return null;
    }
    Map<String, Prediction> means = new LinkedHashMap<>();
    sums.forEach((key, acc) -> {
      double[] q = new double[m];
      double[] t = new double[m];
      for (int j = 0; j < m; j++) {
        q[j] = acc[j] / acc[2 * m];
        t[j] = acc[m + j] / acc[2 * m];
      }
      means.put(key, new Prediction(q, t));
    });
    Prediction[] p = new Prediction[testRows.size()];
    for (int i = 0; i < p.length; i++) {
      p[i] = means.getOrDefault(sourceKey(testRows.get(i)), means.get(null));
    }
    return new NamedCurve(muCurve(test, router, p, mus), "per-source train mean quality and output tokens (the prompt's task and"
        + " nothing else; " + (means.size() - 1) + " sources), same rule", true);
  }

  private static String sourceKey(PromptRecord r) {
    return r.source() == null ? "" : r.source();
  }

  /**
   * The zero router built from training means: the single models that are vertices of the hull of
   * the training data's (mean cost, mean quality) points, each a setting that sends every test
   * prompt to it; mixing neighbouring settings is the hull between them.
   */
  static NamedCurve zeroFromTrain(Dataset d, List<PromptRecord> trainRows, EvalSet test) {
    List<Point> vertices = Frontier.vertices(SingleModels.points(EvalSet.of(d, trainRows), null));
    double[] models = new double[vertices.size()];
    List<String> names = new ArrayList<>();
    for (int v = 0; v < models.length; v++) {
      models[v] = vertices.get(v).param();
      names.add(d.models().get((int) models[v]));
    }
    return new NamedCurve(ChoiceCurve.of(test, "model", models, p -> {
      int[] ch = new int[test.size()];
      java.util.Arrays.fill(ch, (int) models[p]);
      return ch;
    }), "the zero router's hull on the training data (" + String.join(", ", names) + "), mixed on the test prompts", false);
  }

  /** The RouteLLM-style binary router, or null (with a note) when it cannot be built. */
  private static NamedCurve binary(
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
    return new NamedCurve(thresholdCurve(test, pTest, bestA, strong, weak, thresholds), desc, false);
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
}
