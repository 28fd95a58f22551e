package io.carrot.core.train;

import io.carrot.core.CarrotException;
import io.carrot.core.ProgressListener;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.predict.knn.KnnPredictor;
import io.carrot.core.predict.knn.KnnTrainer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The estimators known by name (the CLI's {@code --estimator}). */
public final class Estimators {
  private static final Map<String, Estimator> BY_NAME = new LinkedHashMap<>();

  static {
    // One line per estimator family: its name and how to fit it.
    BY_NAME.put(KnnPredictor.KIND, (t, v, s, p) -> SharedFits.part(KnnPredictor.KIND, t, v, s, () -> knn(t, v, s, p)));
    BY_NAME.put("knn-weighted", EstimatorFamilies::knnWeighted);
    BY_NAME.put("knn-shrink", EstimatorFamilies::knnShrink);
    BY_NAME.put("linear", EstimatorFamilies::linear);
    BY_NAME.put("knn-low-rank", EstimatorFamilies::knnLowRank);
    BY_NAME.put("knn-shrink-low-rank", EstimatorFamilies::knnShrinkLowRank);
    BY_NAME.put("linear-low-rank", EstimatorFamilies::linearLowRank);
    BY_NAME.put("ensemble", EstimatorFamilies::ensemble);
    BY_NAME.put("mlp", EstimatorFamilies::mlp);
    BY_NAME.put(AutoSelect.NAME, new AutoSelect());
  }

  private Estimators() {}

  /** Names of the registered estimators, in registration order. */
  public static Set<String> names() {
    return Collections.unmodifiableSet(BY_NAME.keySet());
  }

  /** The estimator called {@code name}; the error lists the known names. */
  public static Estimator get(String name) {
    Estimator e = BY_NAME.get(name);
    if (e == null) {
      throw new CarrotException("unknown estimator '" + name + "'; expected one of " + BY_NAME.keySet());
    }
    return e;
  }

  /** The k-NN trainer for a {@code k} setting: {@code auto} (5-fold CV, the default) or a whole number >= 1. */
  public static KnnTrainer knnTrainer(String k) {
    if (k == null || k.equals("auto")) {
      return KnnTrainer.auto();
    }
    int v;
    try {
      v = Integer.parseInt(k.strip());
    } catch (NumberFormatException e) {
      throw new CarrotException("k must be 'auto' or a whole number >= 1, got '" + k + "'");
    }
    return KnnTrainer.fixed(v);
  }

  private static Predictor knn(TrainingSet train, TrainingSet validation, Map<String, String> settings, ProgressListener progress) {
    KnnTrainer t = knnTrainer(settings.get("k"));
    long total = t.cvQueryCount(train.size());
    return t.fit(train, done -> progress.update("choosing k (5-fold CV)", done, total));
  }
}
