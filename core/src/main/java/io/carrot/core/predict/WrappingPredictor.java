package io.carrot.core.predict;

import io.carrot.core.CarrotException;
import java.util.List;

/**
 * A predictor that transforms another's predictions (calibration, low-rank projection): it answers
 * for the same models and the same embedding dimension as its base.
 */
public abstract class WrappingPredictor implements Predictor {
  private final Predictor base;

  protected WrappingPredictor(Predictor base) {
    if (base == null) {
      throw new CarrotException("a wrapping predictor needs a base predictor");
    }
    this.base = base;
  }

  /** The predictor whose predictions this one transforms. */
  public final Predictor base() {
    return base;
  }

  @Override
  public final List<String> models() {
    return base.models();
  }

  @Override
  public final int dimension() {
    return base.dimension();
  }
}
