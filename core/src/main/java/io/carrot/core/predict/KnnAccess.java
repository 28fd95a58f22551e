package io.carrot.core.predict;

/** Read access to a {@link KnnPredictor}'s training targets, for its codec. Not an API. */
public final class KnnAccess {
  private KnnAccess() {}

  public static float[] quality(KnnPredictor p) {
    return p.qualityTargets().clone();
  }

  public static float[] tokens(KnnPredictor p) {
    return p.tokenTargets().clone();
  }
}
