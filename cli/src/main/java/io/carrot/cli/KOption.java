package io.carrot.cli;

import io.carrot.core.CarrotException;
import io.carrot.core.predict.KnnTrainer;

/** Parses {@code --k auto|N}. */
final class KOption {
  private KOption() {}

  static KnnTrainer trainer(String k) {
    if (k == null || k.equals("auto")) {
      return KnnTrainer.auto();
    }
    try {
      return KnnTrainer.fixed(Integer.parseInt(k));
    } catch (NumberFormatException e) {
      throw new CarrotException("--k must be 'auto' or a whole number >= 1, got '" + k + "'");
    }
  }
}
