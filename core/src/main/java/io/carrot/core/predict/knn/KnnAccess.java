package io.carrot.core.predict.knn;

/** Read access to a {@link KnnPredictor}'s training targets, for its codec. Not an API. */
public final class KnnAccess {
  private KnnAccess() {}

  /** A copy of the quality targets, row-major n x M. */
  public static float[] quality(KnnPredictor p) {
    return p.qualityTargets().clone();
  }

  /** A copy of the output-token targets, row-major n x M. */
  public static float[] tokens(KnnPredictor p) {
    return p.tokenTargets().clone();
  }
}
