package io.carrot.cli;

import io.carrot.core.train.AutoSelect;
import io.carrot.core.train.Estimators;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** The names {@code --estimator} takes, from the registry, for picocli's help text. */
final class EstimatorNames implements Iterable<String> {
  @Override
  public Iterator<String> iterator() {
    List<String> names = new ArrayList<>(Estimators.names());
    names.add(AutoSelect.NAME);
    return names.iterator();
  }
}
