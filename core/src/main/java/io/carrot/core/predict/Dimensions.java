package io.carrot.core.predict;

import io.carrot.core.CarrotException;

/** The one check every predictor makes of an embedding it is given. */
public final class Dimensions {
  private Dimensions() {}

  /** Throws unless {@code embedding} has the {@code dimension} the predictor was trained on. */
  public static void check(float[] embedding, int dimension) {
    if (embedding.length != dimension) {
      throw new CarrotException(
          "embedding has dimension " + embedding.length + ", the router was trained on " + dimension);
    }
  }
}
