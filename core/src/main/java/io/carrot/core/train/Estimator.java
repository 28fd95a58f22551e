package io.carrot.core.train;

import io.carrot.core.ProgressListener;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import java.util.Map;

/**
 * How to fit one family of {@link Predictor}s: the unit {@link Estimators} registers by name.
 *
 * <p>Contract: fit on {@code train} only; {@code validation} may be used to choose
 * hyper-parameters (never to fit); the returned predictor predicts {@code train.models()} in that
 * order. Unknown keys of {@code settings} are ignored; a bad value is a {@link
 * io.carrot.core.CarrotException} naming the setting.
 */
@FunctionalInterface
public interface Estimator {
  /**
   * @param validation held-out prompts for choosing hyper-parameters, or null when there are none
   * @param settings estimator options from the user, e.g. {@code k=auto}
   */
  Predictor fit(TrainingSet train, TrainingSet validation, Map<String, String> settings, ProgressListener progress);
}
