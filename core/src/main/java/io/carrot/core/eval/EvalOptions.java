package io.carrot.core.eval;

import io.carrot.core.CarrotException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Settings of one evaluation run.
 *
 * @param estimator estimator to fit when no router is given (a name of {@link
 *     io.carrot.core.train.Estimators})
 * @param settings estimator options, e.g. {@code k -> auto}
 * @param muSteps the mu grid is {@code 0, 1/muSteps, ..., 1}; thresholds use the same step
 * @param bootstrap number of bootstrap resamples of the test prompts for confidence intervals (0:
 *     none)
 * @param seed seed of the bootstrap and of the estimators' cross-validation
 * @param targetCost deployment check: mean USD per prompt to aim at (NaN: no check)
 */
public record EvalOptions(
    String estimator, Map<String, String> settings, int muSteps, int bootstrap, long seed, double targetCost) {

  public EvalOptions {
    settings = settings == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(settings));
    if (muSteps < 1) {
      throw new CarrotException("the mu grid needs at least 1 step, got " + muSteps);
    }
    if (bootstrap < 0) {
      throw new CarrotException("the number of bootstrap resamples must be >= 0, got " + bootstrap);
    }
    if (!Double.isNaN(targetCost) && !(targetCost > 0 && Double.isFinite(targetCost))) {
      throw new CarrotException("the target cost must be a finite number of USD per prompt > 0, got " + targetCost);
    }
  }

  /** knn with k by CV, mu step 0.001, 1000 resamples, seed 42, no deployment check. */
  public static EvalOptions defaults() {
    return new EvalOptions("knn", Map.of(), 1000, 1000, 42, Double.NaN);
  }

  public EvalOptions withEstimator(String name, Map<String, String> estimatorSettings) {
    return new EvalOptions(name, estimatorSettings, muSteps, bootstrap, seed, targetCost);
  }

  public EvalOptions withMuSteps(int steps) {
    return new EvalOptions(estimator, settings, steps, bootstrap, seed, targetCost);
  }

  public EvalOptions withBootstrap(int resamples) {
    return new EvalOptions(estimator, settings, muSteps, resamples, seed, targetCost);
  }

  public EvalOptions withSeed(long s) {
    return new EvalOptions(estimator, settings, muSteps, bootstrap, s, targetCost);
  }

  public EvalOptions withTargetCost(double usd) {
    return new EvalOptions(estimator, settings, muSteps, bootstrap, seed, usd);
  }
}
