package io.carrot.core.index;

import io.carrot.core.CarrotException;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Exact maximum-inner-product search over unit vectors (inner product = cosine similarity).
 *
 * <p>The store is kept transposed, one array per dimension: scoring a query is then {@code d} passes
 * of {@code scores[j] += q[i] * column[j]} over contiguous memory, a loop HotSpot turns into SIMD
 * code, where a row-major dot product would be a float reduction it cannot vectorize. (With one
 * flat dimension-major array the column starts at an offset, C2 cannot rule out that the two
 * arrays overlap at a distance, and the loop stays scalar: about 2x slower.) Many queries at once
 * ({@link #topK(float[][], int, boolean[])}) are scored in blocks: each stretch of the store is read
 * from memory once and used for every query of the block, which turns a memory-bound scan into a
 * compute-bound one, with the same arithmetic per score (so the same answers as one query at a
 * time).
 */
public final class ExactKnnIndex implements VectorIndex {
  /** Queries scored together, and the rows of the store they share per pass (16 x 512 floats: 32 KB of scores). */
  public static final int QUERY_BLOCK = 16;
  private static final int BLOCK_TILE = 512;
  /** Scores held per pass when fewer queries share it (one query: 4096 rows). */
  private static final int SCORE_FLOATS = 4096;
  private final int n;
  private final int d;
  /** The store by dimension: {@code cols[i][j]} is row j's coordinate i. */
  private final float[][] cols;

  /** Indexes unit-length {@code rows} for exact cosine search. */
  public ExactKnnIndex(float[][] rows) {
    this.n = rows.length;
    this.d = n == 0 ? 0 : rows[0].length;
    this.cols = new float[d][n];
    for (int j = 0; j < n; j++) {
      float[] r = rows[j];
      for (int i = 0; i < d; i++) {
        cols[i][j] = r[i];
      }
    }
  }

  @Override
  public String kind() {
    return "exact";
  }

  @Override
  public int size() {
    return n;
  }

  @Override
  public int dimension() {
    return d;
  }

  @Override
  public float[] row(int j) {
    float[] r = new float[d];
    for (int i = 0; i < d; i++) {
      r[i] = cols[i][j];
    }
    return r;
  }

  /** Inner products of {@code q} with every stored row, into {@code out} (length n). */
  public void scores(float[] q, float[] out) {
    scores(new float[][] {q}, 0, 1, new float[][] {out});
  }

  /**
   * Inner products of {@code qs[from..to)} with every stored row, into {@code out[0..to-from)}: each
   * score sums its products in dimension order, however many queries share the pass.
   */
  void scores(float[][] qs, int from, int to, float[][] out) {
    int b = to - from;
    int tile = Math.max(BLOCK_TILE, SCORE_FLOATS / b); // the block's scores per pass stay in L1
    for (int t = 0; t < n; t += tile) {
      int end = Math.min(n, t + tile);
      for (int c = 0; c < b; c++) {
        Arrays.fill(out[c], t, end, 0f);
      }
      for (int i = 0; i < d; i++) {
        float[] col = cols[i];
        for (int c = 0; c < b; c++) {
          float qi = qs[from + c][i];
          float[] o = out[c];
          for (int j = t; j < end; j++) {
            o[j] += qi * col[j];
          }
        }
      }
    }
  }

  @Override
  public int[][] topK(float[][] queries, int k, boolean[] excluded) {
    for (float[] q : queries) {
      if (q.length != d) {
        throw new CarrotException("query has dimension " + q.length + ", the index holds " + d);
      }
    }
    int[][] out = new int[queries.length][];
    int blocks = (queries.length + QUERY_BLOCK - 1) / QUERY_BLOCK;
    IntStream.range(0, blocks)
        .parallel()
        .forEach(
            bl -> {
              int from = bl * QUERY_BLOCK;
              int to = Math.min(queries.length, from + QUERY_BLOCK);
              float[][] s = new float[to - from][n];
              scores(queries, from, to, s);
              for (int q = from; q < to; q++) {
                out[q] = select(s[q - from], k, excluded);
              }
            });
    return out;
  }

  /**
   * Dimension-major like the scan: each pass gathers from one contiguous stretch of the store, where
   * a row at a time would touch a new cache line per coordinate.
   */
  @Override
  public float[] similarities(float[] q, int[] rows) {
    double[] acc = new double[rows.length];
    for (int i = 0; i < d; i++) {
      double qi = q[i];
      float[] col = cols[i];
      for (int c = 0; c < rows.length; c++) {
        acc[c] += qi * col[rows[c]];
      }
    }
    float[] out = new float[rows.length];
    for (int c = 0; c < rows.length; c++) {
      out[c] = (float) acc[c];
    }
    return out;
  }

  @Override
  public int[] topK(float[] q, int k, boolean[] excluded) {
    float[] s = new float[n];
    scores(q, s);
    return select(s, k, excluded);
  }

  /** Selects the best {@code k} of precomputed scores, best first; ties to the lower index. */
  public static int[] select(float[] scores, int k, boolean[] excluded) {
    int n = scores.length;
    int kk = Math.min(k, n);
    // min-heap of the best kk seen so far; the root is the worst of them
    int[] heap = new int[kk];
    int size = 0;
    for (int j = 0; j < n; j++) {
      if (excluded != null && excluded[j]) {
        continue;
      }
      if (size < kk) {
        heap[size] = j;
        siftUp(heap, size, scores);
        size++;
      } else if (better(j, heap[0], scores)) {
        heap[0] = j;
        siftDown(heap, size, scores);
      }
    }
    // popping the worst off the heap fills the result from the back: best first
    int[] out = new int[size];
    for (int last = size - 1; last >= 0; last--) {
      out[last] = heap[0];
      heap[0] = heap[last];
      siftDown(heap, last, scores);
    }
    return out;
  }

  private static boolean better(int a, int b, float[] s) {
    return s[a] > s[b] || (s[a] == s[b] && a < b);
  }

  private static void siftUp(int[] h, int i, float[] s) {
    while (i > 0) {
      int p = (i - 1) >>> 1;
      if (better(h[p], h[i], s)) {
        int t = h[p];
        h[p] = h[i];
        h[i] = t;
        i = p;
      } else {
        return;
      }
    }
  }

  private static void siftDown(int[] h, int size, float[] s) {
    int i = 0;
    while (true) {
      int l = 2 * i + 1;
      if (l >= size) {
        return;
      }
      int r = l + 1;
      int w = r < size && better(h[l], h[r], s) ? r : l;
      if (better(h[i], h[w], s)) {
        int t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
      } else {
        return;
      }
    }
  }
}
