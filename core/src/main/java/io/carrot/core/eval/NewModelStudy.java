package io.carrot.core.eval;

import io.carrot.core.CarrotException;
import io.carrot.core.ProgressListener;
import io.carrot.core.curve.EvalSet;
import io.carrot.core.curve.RouterSweep;
import io.carrot.core.curve.SingleModels;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.core.metrics.Anchors;
import io.carrot.core.metrics.Frontier;
import io.carrot.core.metrics.MetricFormulas;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.route.Router;
import io.carrot.core.train.Estimator;
import io.carrot.core.train.RouterTrainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * How many labelled prompts a new model needs: the dataset is made sparse by keeping the new
 * model's entries on only {@code n} random train + validation prompts (the other models keep all
 * of theirs, as when a model is added to a router without re-running the old ones), a router is
 * trained, and its frontier on the (complete) test split is compared with the router that never
 * saw the model ({@code n = 0}) and the one that saw every label.
 *
 * <p>Deterministic for a seed. Labels are split between train and validation in the dataset's
 * train : validation proportion.
 */
public final class NewModelStudy {
  private NewModelStudy() {}

  /**
   * One router's result on test.
   *
   * @param labels labelled prompts of the new model used ({@code -1}: all of them)
   * @param seed subsampling seed ({@code -1} when there is no subsampling)
   * @param aiq AIQ of the router's frontier, anchored on every model's test point
   * @param accuracyMu0 test quality at mu = 0
   * @param share share of test prompts sent to the new model at mu = 0
   * @param mse mean squared error of the new model's predicted quality on test (NaN for n = 0)
   * @param correlation Pearson correlation of its predicted and observed quality on test (NaN for n = 0)
   */
  public record Trial(int labels, long seed, double aiq, double accuracyMu0, double share, double mse, double correlation) {}

  /** Every trial, in order: without the model, then each size and seed, then with every label. */
  public record Result(String dataset, String model, String estimator, int availableLabels, List<Trial> trials) {}

  public static Result run(
      Dataset data,
      EvaluationHarness.SplitEmbeddings vectors,
      String model,
      int[] sizes,
      int seeds,
      String estimatorName,
      Estimator estimator,
      Map<String, String> settings,
      String embedderId,
      ProgressListener progress) {
    int m = data.modelIndex(model);
    if (data.modelCount() < 3) {
      throw new CarrotException("a new-model study needs at least 3 models (the new one and 2 to route among without it)");
    }
    if (seeds < 1) {
      throw new CarrotException("seeds must be >= 1, got " + seeds);
    }
    List<PromptRecord> train = data.requireRows(Split.TRAIN);
    List<PromptRecord> val = data.requireRows(Split.VALIDATION);
    List<PromptRecord> test = EvalSet.completeRows(data.requireRows(Split.TEST));
    if (test.isEmpty()) {
      throw new CarrotException("no test prompt has an entry for every model");
    }
    int[] trainHas = labelled(train, m);
    int[] valHas = labelled(val, m);
    int available = trainHas.length + valHas.length;
    for (int n : sizes) {
      if (n < 1 || n > available) {
        throw new CarrotException(
            "label counts must be in [1, " + available + "] (the labelled train + validation prompts of '" + model
                + "'), got " + n);
      }
    }
    float[][] trE = vectors.embed(Split.TRAIN, train);
    float[][] vaE = vectors.embed(Split.VALIDATION, val);
    float[][] teE = vectors.embed(Split.TEST, test);
    EvalSet testSet = EvalSet.of(data, test);
    Anchors anchors = Anchors.of(SingleModels.points(testSet, null));
    List<Trial> trials = new ArrayList<>();
    int total = 2 + sizes.length * seeds;
    int done = 0;

    // without the model: the router over the others, anchored on every model's test point
    List<String> others = new ArrayList<>(data.models());
    others.remove(model);
    Dataset without = data.withModels(others);
    List<PromptRecord> trW = without.rows(Split.TRAIN);
    List<PromptRecord> vaW = without.rows(Split.VALIDATION);
    Router r0 = fit(without, trW, trE, vaW, vaE, estimator, settings, embedderId, estimatorName);
    java.util.Set<String> testIds = new java.util.HashSet<>();
    test.forEach(t -> testIds.add(t.id()));
    EvalSet testW = EvalSet.of(without, without.rows(Split.TEST).stream().filter(r -> testIds.contains(r.id())).toList());
    RouterSweep s0 = new RouterSweep(testW, r0, r0.predictor().predictAll(teE));
    trials.add(new Trial(0, -1, MetricFormulas.aiq(Frontier.of(s0.frontier(200)), anchors), s0.at(0).quality(), 0, Double.NaN, Double.NaN));
    progress.update("new-model study", ++done, total);

    for (int n : sizes) {
      int nTrain = (int) Math.round((double) n * trainHas.length / available);
      nTrain = Math.max(1, Math.min(Math.min(n, trainHas.length), nTrain));
      int nVal = Math.min(n - nTrain, valHas.length);
      nTrain = n - nVal;
      for (int s = 0; s < seeds; s++) {
        long seed = 42L + s;
        Random rnd = new Random(seed * 1_000_003L + n);
        List<PromptRecord> trS = keepOnly(train, m, sample(trainHas, nTrain, rnd));
        List<PromptRecord> vaS = keepOnly(val, m, sample(valHas, nVal, rnd));
        Dataset ds = new Dataset(data.name(), data.sha256(), data.models(), data.prices(), concat(trS, vaS, test), Map.of());
        Router r = fit(ds, trS, trE, vaS, vaE, estimator, settings, embedderId, estimatorName);
        trials.add(trial(n, seed, r, testSet, teE, anchors, m));
        progress.update("new-model study", ++done, total);
      }
    }
    Router all = fit(data, train, trE, val, vaE, estimator, settings, embedderId, estimatorName);
    trials.add(trial(-1, -1, all, testSet, teE, anchors, m));
    progress.update("new-model study", ++done, total);
    return new Result(data.name(), model, estimatorName, available, trials);
  }

  private static Trial trial(int n, long seed, Router r, EvalSet test, float[][] teE, Anchors anchors, int m) {
    Prediction[] p = r.predictor().predictAll(teE);
    RouterSweep sweep = new RouterSweep(test, r, p);
    int[] ch = sweep.choices(0);
    double share = 0;
    double[] pred = new double[p.length];
    double[] truth = new double[p.length];
    for (int i = 0; i < p.length; i++) {
      share += ch[i] == m ? 1 : 0;
      pred[i] = p[i].quality()[m];
      truth[i] = test.quality()[i][m];
    }
    double mse = 0;
    for (int i = 0; i < p.length; i++) {
      mse += (pred[i] - truth[i]) * (pred[i] - truth[i]) / p.length;
    }
    return new Trial(n, seed, MetricFormulas.aiq(Frontier.of(sweep.frontier(200)), anchors), sweep.at(0).quality(),
        share / p.length, mse, correlation(pred, truth));
  }

  private static Router fit(
      Dataset d,
      List<PromptRecord> train,
      float[][] trE,
      List<PromptRecord> val,
      float[][] vaE,
      Estimator estimator,
      Map<String, String> settings,
      String embedderId,
      String name) {
    TrainingSet valSet = RouterTrainer.trainingSet(d, val, vaE);
    return RouterTrainer.train(d, train, trE, ts -> estimator.fit(ts, valSet, settings, ProgressListener.NONE), 42,
        embedderId, "cl100k_base", Map.of("estimator", name));
  }

  /** Pearson correlation; NaN when either side is constant. */
  static double correlation(double[] x, double[] y) {
    double mx = Arrays.stream(x).average().orElse(0);
    double my = Arrays.stream(y).average().orElse(0);
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < x.length; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : Double.NaN;
  }

  private static int[] labelled(List<PromptRecord> rows, int m) {
    return java.util.stream.IntStream.range(0, rows.size()).filter(i -> rows.get(i).has(m)).toArray();
  }

  /** {@code k} of {@code from}, drawn without replacement (partial Fisher-Yates). */
  private static boolean[] sample(int[] from, int k, Random rnd) {
    int[] a = from.clone();
    int max = a.length == 0 ? 0 : Arrays.stream(a).max().getAsInt() + 1;
    boolean[] keep = new boolean[max];
    for (int i = 0; i < k; i++) {
      int j = i + rnd.nextInt(a.length - i);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
      keep[a[i]] = true;
    }
    return keep;
  }

  /** {@code rows} with model {@code m}'s entry removed wherever {@code keep} is not true. */
  private static List<PromptRecord> keepOnly(List<PromptRecord> rows, int m, boolean[] keep) {
    List<PromptRecord> out = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      PromptRecord r = rows.get(i);
      out.add(i < keep.length && keep[i] ? r : r.withoutModel(m));
    }
    return out;
  }

  private static List<PromptRecord> concat(List<PromptRecord> a, List<PromptRecord> b, List<PromptRecord> c) {
    List<PromptRecord> out = new ArrayList<>(a);
    out.addAll(b);
    out.addAll(c);
    return out;
  }
}
