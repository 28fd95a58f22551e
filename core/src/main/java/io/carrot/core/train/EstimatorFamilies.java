package io.carrot.core.train;

import io.carrot.core.ProgressListener;
import io.carrot.core.predict.ConstantPredictor;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.predict.blend.BlendFitter;
import io.carrot.core.predict.calibration.CalibratedPredictor;
import io.carrot.core.predict.knn.WeightedKnnTrainer;
import io.carrot.core.predict.lowrank.LowRankPredictor;
import io.carrot.core.predict.network.LinearPredictor;
import io.carrot.core.predict.network.MlpTrainer;
import java.util.List;
import java.util.Map;

/**
 * The estimators beyond plain CARROT-KNN. Each fits on train and chooses its weights and strengths
 * on validation, then calibrates quality on validation:
 *
 * <ul>
 *   <li>{@code knn-weighted}: KNN with neighbours weighted by a kernel of their similarity, k and the
 *       kernel width on validation;
 *   <li>{@code knn-shrink}: weighted KNN with an empirical-Bayes prior at each model's global mean,
 *       the prior strength (in pseudo-neighbours) on validation, so a prompt whose neighbourhood says
 *       little is pulled toward the prior;
 *   <li>{@code linear}: ridge regression per output on the embedding (CARROT-linear);
 *   <li>{@code mlp}: a multi-task MLP on the embedding, one shared hidden layer for all models;
 *   <li>{@code ensemble}: KNN, linear, MLP and the global means blended per model on validation.
 * </ul>
 */
public final class EstimatorFamilies {
  private EstimatorFamilies() {}

  public static Predictor knnWeighted(TrainingSet train, TrainingSet validation, Map<String, String> settings, ProgressListener progress) {
    return CalibratedPredictor.fit(weightedKnn(WeightedKnnTrainer.weighted(), train, validation, settings, progress), validation);
  }

  public static Predictor knnShrink(TrainingSet train, TrainingSet validation, Map<String, String> settings, ProgressListener progress) {
    return CalibratedPredictor.fit(shrunk(train, validation, settings, progress), validation);
  }

  // The parts other families build on, shared within a SharedFits scope (auto).

  private static Predictor knn(TrainingSet train, TrainingSet validation, Map<String, String> settings, ProgressListener progress) {
    return Estimators.get("knn").fit(train, validation, settings, progress); // shared: see Estimators
  }

  private static Predictor shrunk(TrainingSet train, TrainingSet validation, Map<String, String> settings, ProgressListener progress) {
    return SharedFits.part("knn-shrink", train, validation, settings,
        () -> weightedKnn(WeightedKnnTrainer.shrunk(), train, validation, settings, progress));
  }

  private static Predictor ridge(TrainingSet train, TrainingSet validation, Map<String, String> settings) {
    return SharedFits.part("linear", train, validation, Map.of(), () -> LinearPredictor.fit(train, validation));
  }

  private static Predictor network(TrainingSet train, TrainingSet validation, Map<String, String> settings, ProgressListener progress) {
    return SharedFits.part("mlp", train, validation, Map.of(), () -> MlpTrainer.defaults().fit(train, validation, progress));
  }

  /** Fits with {@code t}, honouring a fixed {@code k} setting ({@code auto}: k on validation too). */
  static Predictor weightedKnn(
      WeightedKnnTrainer t, TrainingSet train, TrainingSet validation, Map<String, String> settings, ProgressListener progress) {
    String k = settings.get("k");
    if (k != null && !k.equals("auto")) {
      Estimators.knnTrainer(k); // rejects a bad value with the message every KNN estimator gives
      t = t.withK(Integer.parseInt(k.strip()));
    }
    long total = WeightedKnnTrainer.queryCount(validation);
    return t.fit(train, validation, done -> progress.update("choosing k, tau and prior strengths on validation", done, total));
  }

  public static Predictor linear(TrainingSet train, TrainingSet validation, Map<String, String> settings, ProgressListener progress) {
    return CalibratedPredictor.fit(ridge(train, validation, settings), validation);
  }

  public static Predictor mlp(TrainingSet train, TrainingSet validation, Map<String, String> settings, ProgressListener progress) {
    return CalibratedPredictor.fit(network(train, validation, settings, progress), validation);
  }

  public static Predictor knnLowRank(TrainingSet train, TrainingSet validation, Map<String, String> settings, ProgressListener progress) {
    return CalibratedPredictor.fit(LowRankPredictor.fit(knn(train, validation, settings, progress), train, validation), validation);
  }

  public static Predictor knnShrinkLowRank(TrainingSet train, TrainingSet validation, Map<String, String> settings, ProgressListener progress) {
    return CalibratedPredictor.fit(LowRankPredictor.fit(shrunk(train, validation, settings, progress), train, validation), validation);
  }

  public static Predictor linearLowRank(TrainingSet train, TrainingSet validation, Map<String, String> settings, ProgressListener progress) {
    return CalibratedPredictor.fit(LowRankPredictor.fit(ridge(train, validation, settings), train, validation), validation);
  }

  public static Predictor ensemble(TrainingSet train, TrainingSet validation, Map<String, String> settings, ProgressListener progress) {
    Predictor knn = knn(train, validation, settings, progress);
    Predictor lin = ridge(train, validation, settings);
    Predictor mlp = network(train, validation, settings, progress);
    // 10 steps over 4 parts: 286 weight vectors per model (20 steps would be 1,771)
    Predictor blend = BlendFitter.fit("ensemble", List.of(knn, lin, mlp, ConstantPredictor.fit(train)), validation, 10);
    return CalibratedPredictor.fit(blend, validation);
  }
}
