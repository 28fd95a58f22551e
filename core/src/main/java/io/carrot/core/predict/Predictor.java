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

  /** Predicts many prompts; the default calls {@link #predict(float[])} for each. */
  default Prediction[] predictAll(float[][] embeddings) {
    Prediction[] out = new Prediction[embeddings.length];
    for (int i = 0; i < embeddings.length; i++) {
      out[i] = predict(embeddings[i]);
    }
    return out;
  }

  /** Hyper-parameters and fit diagnostics, recorded in the router's provenance. */
  Map<String, Object> hyperParameters();
}
