package io.carrot.core.train;

import io.carrot.core.CarrotException;
import io.carrot.core.ProgressListener;
import io.carrot.core.curve.EvalSet;
import io.carrot.core.curve.RouterSweep;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.metrics.Anchors;
import io.carrot.core.metrics.Frontier;
import io.carrot.core.metrics.MetricFormulas;
import io.carrot.core.metrics.Point;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.route.Router;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --estimator auto}: fits every candidate estimator on train and keeps the one whose
 * router has the highest AIQ on the validation split (the CARROT rule swept over mu, true
 * validation costs). Validation also chose the candidates' own weights, so its AIQ is somewhat
 * optimistic for the composite estimators; the test split stays untouched for reporting.
 *
 * <p>Registered in {@link Estimators} like every estimator; it needs the training sets' {@link
 * TrainingSet.Costs} (prices, input tokens, recorded costs), which {@link RouterTrainer#trainingSet}
 * provides. {@link #select} also reports every candidate's validation result.
 */
public final class AutoSelect implements Estimator {
  /** The name that selects it ({@code --estimator auto}). */
  public static final String NAME = "auto";

  /** The estimators {@code auto} tries, in order (ties keep the earlier). */
  public static final List<String> CANDIDATES = List.of(
      "knn", "knn-weighted", "knn-shrink", "linear", "knn-low-rank", "knn-shrink-low-rank", "linear-low-rank", "ensemble", "mlp");

  /** One candidate's validation result. */
  public record Trial(String estimator, double validationAiq, double validationAccuracyMu0, Predictor predictor) {}

  /** All trials (in {@link #CANDIDATES} order) and the winner. */
  public record Selection(List<Trial> trials, Trial best) {}

  /** The winner's predictor. */
  @Override
  public Predictor fit(TrainingSet train, TrainingSet validation, Map<String, String> settings, ProgressListener progress) {
    return select(train, validation, settings, progress).best().predictor();
  }

  /**
   * Fits every candidate on {@code train} and measures its router's AIQ on the prompts of {@code
   * validation} where every model has an entry; both sets need their costs.
   */
  public static Selection select(TrainingSet train, TrainingSet validation, Map<String, String> settings, ProgressListener progress) {
    if (validation == null) {
      throw new CarrotException("--estimator auto compares estimators on the validation split, which is empty");
    }
    EvalSet valSet = EvalSet.completeOf(validation, "--estimator auto");
    if (valSet == null) {
      throw new CarrotException(
          "--estimator auto compares estimators on validation prompts where every model has an entry; there are none");
    }
    float[][] valEmbeddings = EvalSet.completeEmbeddings(validation);
    TrainingSet.Costs costs = train.requireCosts("--estimator auto");
    Map<String, ModelPrice> priceMap = new LinkedHashMap<>();
    for (int j = 0; j < train.models().size(); j++) {
      priceMap.put(train.models().get(j), costs.prices().get(j));
    }
    PriceTable prices = new PriceTable(priceMap);
    // the cost scale the router will get (RouterTrainer): training prompts' mean recorded cost
    double costScale = Router.costScaleFor(costs.trueCost());
    List<Point> singles = new ArrayList<>();
    for (int m = 0; m < valSet.modelCount(); m++) {
      singles.add(new Point(Double.NaN, valSet.meanCost(m), valSet.meanQuality(m)));
    }
    Anchors anchors = Anchors.of(singles);
    // families built on the same parts (KNN, empirical-Bayes KNN, ridge, MLP) fit each part once
    List<Trial> trials = SharedFits.within(() -> {
      List<Trial> out = new ArrayList<>();
      for (String name : CANDIDATES) {
        Predictor p = Estimators.get(name).fit(train, validation, settings, progress);
        RouterSweep sweep = new RouterSweep(valSet, p.models(), prices, costScale, p.predictAll(valEmbeddings));
        double aiq = MetricFormulas.aiq(Frontier.of(sweep.frontier(200)), anchors);
        out.add(new Trial(name, aiq, sweep.at(0).quality(), p));
      }
      return out;
    });
    Trial best = null;
    for (Trial t : trials) {
      if (best == null || t.validationAiq() > best.validationAiq()) {
        best = t;
      }
    }
    return new Selection(trials, best);
  }
}
