package io.carrot.core.index;

import java.util.Map;

/**
 * Nearest-neighbour search over a fixed store of unit vectors by inner product (= cosine
 * similarity).
 *
 * <p>Contract: {@link #topK} returns at most {@code k} distinct row indices in {@code [0, size())},
 * best (highest inner product) first, ties to the lower index, never a row with {@code
 * excluded[j]} true. An exact index returns the true top {@code k}; an approximate one may miss
 * some (its recall is measured against the exact index in tests) but still orders what it returns
 * by the exact inner product. Immutable and thread-safe.
 */
public interface VectorIndex {

  /** Number of stored rows. */
  int size();

  /** Dimension of every stored row. */
  int dimension();

  /** Row {@code j} of the store, copied out. */
  float[] row(int j);

  /**
   * The {@code k} stored rows most similar to {@code q}, best first; ties go to the lower row
   * index. Rows with {@code excluded[j]} true ({@code excluded} may be null) are skipped.
   */
  int[] topK(float[] q, int k, boolean[] excluded);

  /**
   * {@link #topK(float[], int, boolean[])} of each of {@code queries} (the same {@code k} and
   * {@code excluded} for all), with exactly the same answers. The default searches the queries in
   * parallel; an index may search them together faster (the exact scan reads the store once per
   * block of queries instead of once per query).
   */
  default int[][] topK(float[][] queries, int k, boolean[] excluded) {
    int[][] out = new int[queries.length][];
    java.util.stream.IntStream.range(0, queries.length).parallel().forEach(i -> out[i] = topK(queries[i], k, excluded));
    return out;
  }

  /**
   * The inner products of {@code q} with the stored rows {@code rows}, in that order (what a
   * similarity-weighted estimator weighs {@link #topK}'s neighbours by). The default computes them
   * from {@link #row}; an index that holds the vectors in another layout may do it without copies.
   */
  default float[] similarities(float[] q, int[] rows) {
    float[] out = new float[rows.length];
    for (int i = 0; i < rows.length; i++) {
      float[] r = row(rows[i]);
      double s = 0;
      for (int c = 0; c < r.length; c++) {
        s += (double) q[c] * r[c];
      }
      out[i] = (float) s;
    }
    return out;
  }

  /** Search method recorded in a predictor's hyper-parameters, e.g. {@code exact} or {@code hnsw}. */
  String kind();

  /** Parameters of the search method (graph degree, beam width, ...) for the provenance. */
  default Map<String, Object> parameters() {
    return Map.of();
  }
}
