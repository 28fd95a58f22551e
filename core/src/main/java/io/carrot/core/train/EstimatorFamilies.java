package io.carrot.core.train;

import io.carrot.core.ProgressListener;
import io.carrot.core.predict.BlendFitter;
import io.carrot.core.predict.CalibratedPredictor;
import io.carrot.core.predict.ConstantPredictor;
import io.carrot.core.predict.LinearPredictor;
import io.carrot.core.predict.LowRankPredictor;
import io.carrot.core.predict.MlpTrainer;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import java.util.List;
import java.util.Map;

/**
 * The estimators beyond plain CARROT-KNN. Each fits on train and chooses its weights and strengths
 * on validation, then calibrates quality on validation:
 *
 * <ul>
 *   <li>{@code knn-shrink}: KNN shrunk toward each model's global mean, the strength per model chosen
 *       by least squares on validation (empirical-Bayes style: little local evidence, more prior);
 *   <li>{@code linear}: ridge regression per output on the embedding (CARROT-linear);
 *   <li>{@code mlp}: a multi-task MLP on the embedding, one shared hidden layer for all models;
 *   <li>{@code ensemble}: KNN, linear, MLP and the global means blended per model on validation.
 * </ul>
 */
public final class EstimatorFamilies {
  private EstimatorFamilies() {}

  public static Predictor knnShrink(TrainingSet train, TrainingSet validation, Map<String, String> settings, ProgressListener progress) {
    Predictor knn = Estimators.get("knn").fit(train, validation, settings, progress);
    Predictor blend = BlendFitter.fit("knn-shrink", List.of(knn, ConstantPredictor.fit(train)), validation, 100);
    return CalibratedPredictor.fit(blend, validation);
  }

  public static Predictor linear(TrainingSet train, TrainingSet validation, Map<String, String> settings, ProgressListener progress) {
    return CalibratedPredictor.fit(LinearPredictor.fit(train, validation), validation);
  }

  public static Predictor mlp(TrainingSet train, TrainingSet validation, Map<String, String> settings, ProgressListener progress) {
    return CalibratedPredictor.fit(MlpTrainer.defaults().fit(train, validation, progress), validation);
  }

  public static Predictor knnLowRank(TrainingSet train, TrainingSet validation, Map<String, String> settings, ProgressListener progress) {
    Predictor knn = Estimators.get("knn").fit(train, validation, settings, progress);
    return CalibratedPredictor.fit(LowRankPredictor.fit(knn, train, validation), validation);
  }

  public static Predictor linearLowRank(TrainingSet train, TrainingSet validation, Map<String, String> settings, ProgressListener progress) {
    return CalibratedPredictor.fit(LowRankPredictor.fit(LinearPredictor.fit(train, validation), train, validation), validation);
  }

  public static Predictor ensemble(TrainingSet train, TrainingSet validation, Map<String, String> settings, ProgressListener progress) {
    Predictor knn = Estimators.get("knn").fit(train, validation, settings, progress);
    Predictor lin = LinearPredictor.fit(train, validation);
    Predictor mlp = MlpTrainer.defaults().fit(train, validation, progress);
    // 10 steps over 4 parts: 286 weight vectors per model (20 steps would be 1,771)
    Predictor blend = BlendFitter.fit("ensemble", List.of(knn, lin, mlp, ConstantPredictor.fit(train)), validation, 10);
    return CalibratedPredictor.fit(blend, validation);
  }
}
