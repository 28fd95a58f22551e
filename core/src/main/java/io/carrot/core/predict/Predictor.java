package io.carrot.core.predict;

import java.util.List;
import java.util.Map;

/**
 * A fitted, immutable estimator of per-model quality and output tokens from a prompt embedding.
 *
 * <p>Contract: {@link #predict(float[])} takes a unit-length vector of the embedder the predictor
 * was trained with and returns one entry per {@link #models()} model; quality is clamped to [0, 1]
 * and tokens to at least 0. Thread-safe; deterministic for a given input.
 */
public interface Predictor {

  /** Short name of the estimator family, e.g. {@code knn}; selects the on-disk codec. */
  String kind();

  /** Models predicted, in output order. */
  List<String> models();

  /** Dimension of the embeddings it accepts. */
  int dimension();

  /** Predicts quality and output tokens of every model for one embedded prompt. */
  Prediction predict(float[] embedding);

  /**
   * Predicts many prompts, each exactly as {@link #predict(float[])} would. The default calls it for
   * each prompt in parallel (predictors are thread-safe); a predictor may batch the work instead
   * (the KNN ones search the store for many prompts at once).
   */
  default Prediction[] predictAll(float[][] embeddings) {
    Prediction[] out = new Prediction[embeddings.length];
    java.util.stream.IntStream.range(0, embeddings.length).parallel().forEach(i -> out[i] = predict(embeddings[i]));
    return out;
  }

  /** Hyper-parameters and fit diagnostics, recorded in the router's provenance. */
  Map<String, Object> hyperParameters();
}
