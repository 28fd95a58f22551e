package io.carrot.cli;

import io.carrot.core.train.Estimators;
import java.util.Iterator;

/** The names {@code --estimator} takes, from the registry, for picocli's help text. */
final class EstimatorNames implements Iterable<String> {
  @Override
  public Iterator<String> iterator() {
    return Estimators.names().iterator();
  }
}
