package io.carrot.core.index;

import io.carrot.core.CarrotException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.function.IntConsumer;

/**
 * Chooses the nearest-neighbour index of a KNN store.
 *
 * <p>{@code auto} (the default) keeps exact search while one exact scan is cheaper than building
 * and searching a graph and uses the first approximate index found on the classpath beyond it. The cost of a scan
 * is the number of float values it reads, rows x dimension, so the rule is a number of values,
 * {@link #DEFAULT_THRESHOLD_VALUES}: 100,000 rows of 384 dimensions, 25,000 rows of 1,536. The choice
 * is overridden by the system property {@value #PROPERTY} (or the environment variable {@code
 * CARROT_KNN_INDEX}): {@code exact}, {@code auto} or a factory name such as {@code hnsw}; the
 * threshold, as a number of rows, by {@value #THRESHOLD_PROPERTY} ({@code
 * CARROT_KNN_ANN_THRESHOLD}).
 */
public final class VectorIndexes {
  public static final String PROPERTY = "carrot.knn.index";
  public static final String THRESHOLD_PROPERTY = "carrot.knn.annThreshold";
  /**
   * {@code auto} searches approximately from this many stored float values (rows x dimension) on:
   * 100,000 rows of 384 dimensions, where one full float scan costs about 30 ms (a single query
   * through the exact index's int8 prefilter a fraction of that). Below it the graph's
   * build time at every fit (minutes at 30,000 rows on 2 cores) outweighs what it saves per
   * decision; docs/BENCHMARKS.md has the measurements.
   */
  public static final long DEFAULT_THRESHOLD_VALUES = 100_000L * 384;

  private VectorIndexes() {}

  /** The index mode in force: the system property, else the environment, else {@code auto}. */
  public static String configuredMode() {
    String p = System.getProperty(PROPERTY);
    if (p == null || p.isBlank()) {
      p = System.getenv("CARROT_KNN_INDEX");
    }
    return p == null || p.isBlank() ? "auto" : p.trim().toLowerCase(Locale.ROOT);
  }

  /**
   * The size threshold in force for {@code auto}, in rows, for a store of {@code dimension}: the
   * configured number of rows, else {@link #DEFAULT_THRESHOLD_VALUES} / dimension (rounded up).
   */
  public static int configuredThreshold(int dimension) {
    String p = System.getProperty(THRESHOLD_PROPERTY);
    if (p == null || p.isBlank()) {
      p = System.getenv("CARROT_KNN_ANN_THRESHOLD");
    }
    if (p == null || p.isBlank()) {
      return (int) ((DEFAULT_THRESHOLD_VALUES + Math.max(1, dimension) - 1) / Math.max(1, dimension));
    }
    try {
      int t = Integer.parseInt(p.trim());
      if (t >= 0) {
        return t;
      }
    } catch (NumberFormatException e) {
      // reported below with the expectation
    }
    throw new CarrotException(THRESHOLD_PROPERTY + " must be a whole number >= 0, got '" + p + "'");
  }

  /** Names of the approximate index factories on the classpath. */
  public static List<String> available() {
    List<String> names = new ArrayList<>();
    for (VectorIndexFactory f : ServiceLoader.load(VectorIndexFactory.class, VectorIndexes.class.getClassLoader())) {
      names.add(f.name());
    }
    return names;
  }

  /** The factory named {@code name} on the classpath, or null. */
  public static VectorIndexFactory factory(String name) {
    for (VectorIndexFactory f : ServiceLoader.load(VectorIndexFactory.class, VectorIndexes.class.getClassLoader())) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    return null;
  }

  /** An index over {@code rows} chosen by the configured mode and threshold. */
  public static VectorIndex build(float[][] rows) {
    return build(rows, configuredMode(), configuredThreshold(rows.length == 0 ? 1 : rows[0].length), n -> {});
  }

  /**
   * An index over {@code rows}.
   *
   * @param mode {@code exact}, {@code auto} or a factory name
   * @param threshold {@code auto} uses an approximate index from this many rows on
   */
  public static VectorIndex build(float[][] rows, String mode, int threshold, IntConsumer progress) {
    VectorIndexFactory f = factoryFor(mode, rows.length, threshold);
    return f == null ? new ExactKnnIndex(rows) : f.build(rows, progress);
  }

  /**
   * Keeps {@code exact} when the configured mode asks for exact search there, else replaces it by
   * an approximate index over the same rows (the exact index is then no longer referenced).
   */
  public static VectorIndex reindex(ExactKnnIndex exact, float[][] rows) {
    VectorIndexFactory f = factoryFor(configuredMode(), exact.size(), configuredThreshold(exact.dimension()));
    return f == null ? exact : f.build(rows, n -> {});
  }

  /** The factory to use, or null for exact search. */
  static VectorIndexFactory factoryFor(String mode, int n, int threshold) {
    String m = mode == null ? "auto" : mode.trim().toLowerCase(Locale.ROOT);
    if (m.equals("exact")) {
      return null;
    }
    List<VectorIndexFactory> found = new ArrayList<>();
    ServiceLoader.load(VectorIndexFactory.class, VectorIndexes.class.getClassLoader()).forEach(found::add);
    if (m.equals("auto")) {
      return n >= threshold && !found.isEmpty() ? found.get(0) : null;
    }
    for (VectorIndexFactory f : found) {
      if (f.name().equals(m)) {
        return f;
      }
    }
    throw new CarrotException(
        "knn index '" + mode + "' is not available; expected 'exact', 'auto'"
            + (found.isEmpty() ? " (add the carrot-ann module to the classpath for 'hnsw')" : " or one of " + available()));
  }
}
