package io.carrot.ann;

import io.carrot.core.CarrotException;

/**
 * HNSW knobs.
 *
 * @param maxConn graph degree M (level 0 keeps 2M neighbours); more = better recall, more memory
 * @param beamWidth candidates kept while inserting; more = better graph, slower build
 * @param efSearch candidates kept while searching (at least k); more = better recall, slower query.
 *     The default 200 keeps recall@32 above 0.95 on a 1M-row clustered 384-d store (0.90 at 100)
 *     at under 1 ms per decision (docs/BENCHMARKS.md)
 * @param seed level assignment seed, so a single-threaded build is reproducible
 */
public record HnswParameters(int maxConn, int beamWidth, int efSearch, long seed) {
  public static final HnswParameters DEFAULT = new HnswParameters(16, 100, 200, 42);

  public HnswParameters {
    check("maxConn", maxConn, 2, 512);
    check("beamWidth", beamWidth, 1, 3200);
    check("efSearch", efSearch, 1, 100_000);
  }

  private static void check(String name, int v, int lo, int hi) {
    if (v < lo || v > hi) {
      throw new CarrotException("hnsw " + name + " must be in [" + lo + ", " + hi + "], got " + v);
    }
  }

  /**
   * The defaults overridden by the system properties {@code carrot.hnsw.maxConn}, {@code
   * carrot.hnsw.beamWidth}, {@code carrot.hnsw.efSearch}.
   */
  public static HnswParameters fromSystemProperties() {
    return new HnswParameters(
        intProperty("carrot.hnsw.maxConn", DEFAULT.maxConn),
        intProperty("carrot.hnsw.beamWidth", DEFAULT.beamWidth),
        intProperty("carrot.hnsw.efSearch", DEFAULT.efSearch),
        DEFAULT.seed);
  }

  /** Build workers from {@code carrot.hnsw.buildThreads} (default 1). */
  public static int buildThreads() {
    int t = intProperty("carrot.hnsw.buildThreads", 1);
    if (t < 1) {
      throw new CarrotException("carrot.hnsw.buildThreads must be >= 1, got " + t);
    }
    return t;
  }

  public HnswParameters withEfSearch(int ef) {
    return new HnswParameters(maxConn, beamWidth, ef, seed);
  }

  private static int intProperty(String name, int def) {
    String v = System.getProperty(name);
    if (v == null || v.isBlank()) {
      return def;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new CarrotException(name + " must be a whole number, got '" + v + "'");
    }
  }
}
