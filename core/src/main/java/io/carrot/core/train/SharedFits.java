package io.carrot.core.train;

import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Parts that several estimator families build on (CARROT-KNN with its cross-validated k, the
 * empirical-Bayes KNN, ridge, the MLP), fitted once per training set within a scope. {@code
 * --estimator auto} fits nine families, six of which share one of four parts; inside {@link
 * #within} each part is fitted once and reused, so {@code auto} costs about the sum of its distinct
 * parts rather than of its families. Outside a scope every call fits afresh. Parts are immutable
 * predictors, so sharing them changes no result.
 *
 * <p>A part is identified by its name, the very embedding arrays of the training and validation
 * sets (the same prompts), the models and the settings.
 */
public final class SharedFits {
  private static final ThreadLocal<Map<Key, Predictor>> MEMO = new ThreadLocal<>();

  private SharedFits() {}

  private record Key(String part, Identity train, Identity validation, List<String> models, Map<String, String> settings) {}

  /** Reference identity of an array: two keys match only for the very same training data. */
  private record Identity(Object ref) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Identity i && i.ref == ref;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(ref);
    }
  }

  /** Runs {@code body} with parts shared between the fits it makes on this thread. */
  public static <T> T within(Supplier<T> body) {
    if (MEMO.get() != null) {
      return body.get(); // nested: the outer scope shares already
    }
    MEMO.set(new HashMap<>());
    try {
      return body.get();
    } finally {
      MEMO.remove();
    }
  }

  /** The part {@code name} for these sets: fitted by {@code fit}, or the one fitted earlier in the scope. */
  static Predictor part(String name, TrainingSet train, TrainingSet validation, Map<String, String> settings, Supplier<Predictor> fit) {
    Map<Key, Predictor> memo = MEMO.get();
    if (memo == null) {
      return fit.get();
    }
    Key key = new Key(name, new Identity(train.embeddings()), new Identity(validation == null ? null : validation.embeddings()),
        train.models(), Map.copyOf(settings));
    Predictor p = memo.get(key);
    if (p == null) {
      p = fit.get();
      memo.put(key, p);
    }
    return p;
  }
}
