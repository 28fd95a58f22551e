package io.carrot.core.train;

import io.carrot.core.CarrotException;
import io.carrot.core.ProgressListener;
import io.carrot.core.curve.EvalSet;
import io.carrot.core.curve.RouterSweep;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.metrics.Anchors;
import io.carrot.core.metrics.Frontier;
import io.carrot.core.metrics.MetricFormulas;
import io.carrot.core.metrics.Point;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.route.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code --estimator auto}: fits every candidate estimator on train and keeps the one whose
 * router has the highest AIQ on the validation split (the CARROT rule swept over mu, true
 * validation costs). Validation also chose the candidates' own weights, so its AIQ is somewhat
 * optimistic for the composite estimators; the test split stays untouched for reporting.
 */
public final class AutoSelect {
  /** The name that selects it ({@code --estimator auto}). */
  public static final String NAME = "auto";

  /** The estimators {@code auto} tries, in order (ties keep the earlier). */
  public static final List<String> CANDIDATES = List.of(
      "knn", "knn-weighted", "knn-shrink", "linear", "knn-low-rank", "knn-shrink-low-rank", "linear-low-rank", "ensemble", "mlp");

  private AutoSelect() {}

  /** One candidate's validation result. */
  public record Trial(String estimator, double validationAiq, double validationAccuracyMu0, Router router) {}

  /** All trials (in {@link #CANDIDATES} order) and the winner. */
  public record Selection(List<Trial> trials, Trial best) {}

  public static Selection select(
      Dataset data,
      List<PromptRecord> train,
      float[][] trainEmbeddings,
      List<PromptRecord> validation,
      float[][] validationEmbeddings,
      Map<String, String> settings,
      String embedderId,
      String tokenCounterId,
      Map<String, String> extra,
      ProgressListener progress) {
    if (validation.isEmpty()) {
      throw new CarrotException("--estimator auto compares estimators on the validation split, which is empty");
    }
    TrainingSet val = RouterTrainer.trainingSet(data, validation, validationEmbeddings);
    List<PromptRecord> valComplete = EvalSet.completeRows(validation);
    if (valComplete.isEmpty()) {
      throw new CarrotException(
          "--estimator auto compares estimators on validation prompts where every model has an entry; there are none");
    }
    float[][] valCompleteEmbeddings = EvalSet.completeEmbeddings(validation, validationEmbeddings);
    EvalSet valSet = EvalSet.of(data, valComplete);
    List<Point> singles = new ArrayList<>();
    for (int m = 0; m < valSet.modelCount(); m++) {
      singles.add(new Point(Double.NaN, valSet.meanCost(m), valSet.meanQuality(m)));
    }
    Anchors anchors = Anchors.of(singles);
    // families built on the same parts (KNN, empirical-Bayes KNN, ridge, MLP) fit each part once
    List<Trial> trials = SharedFits.within(() -> {
      List<Trial> out = new ArrayList<>();
      for (String name : CANDIDATES) {
        Estimator est = Estimators.get(name);
        Map<String, String> ex = new java.util.LinkedHashMap<>(extra);
        ex.put("estimator", name);
        Router r = RouterTrainer.trainWithoutSupport(data, train, trainEmbeddings, ts -> est.fit(ts, val, settings, progress), 42,
            embedderId, tokenCounterId, ex);
        RouterSweep sweep = new RouterSweep(valSet, r, r.predictor().predictAll(valCompleteEmbeddings));
        double aiq = MetricFormulas.aiq(Frontier.of(sweep.frontier(200)), anchors);
        out.add(new Trial(name, aiq, sweep.at(0).quality(), r));
      }
      return out;
    });
    Trial best = null;
    for (Trial t : trials) {
      if (best == null || t.validationAiq() > best.validationAiq()) {
        best = t;
      }
    }
    // the support section depends on the training set alone: fitted once, for the router kept
    Router kept = best.router().withSupport(RouterTrainer.support(data, train, trainEmbeddings, 42));
    List<Trial> all = new ArrayList<>(trials);
    int at = trials.indexOf(best);
    best = new Trial(best.estimator(), best.validationAiq(), best.validationAccuracyMu0(), kept);
    all.set(at, best);
    return new Selection(List.copyOf(all), best);
  }
}
