package io.carrot.core.index;

import io.carrot.core.CarrotException;
import io.carrot.core.linalg.VectorMath;
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
 *
 * <p>One query at a time (a routing decision) on a store of at least {@link #PREFILTER_VALUES}
 * values is answered from an {@link Int8Prefilter}: an int8 copy of the store bounds every score,
 * which leaves a few dozen candidates that provably hold the top {@code k}; those are scored from a
 * row-major copy of the store with the scan's arithmetic (one float accumulator, dimensions in
 * order), so the answer is the full scan's, bit for bit, from a quarter of the bytes. The two extra
 * copies cost 5 bytes per value beside the scan's 4.
 */
public final class ExactKnnIndex implements VectorIndex {
  /** Queries scored together, and the rows of the store they share per pass (16 x 512 floats: 32 KB of scores). */
  public static final int QUERY_BLOCK = 16;
  /**
   * From this many stored values (rows x dimension) on, a single query goes through the int8
   * prefilter; below it a full scan takes a few hundred microseconds at most.
   */
  public static final long PREFILTER_VALUES = 1L << 20;
  private static final int BLOCK_TILE = 512;
  /** Scores held per pass when fewer queries share it (one query: 4096 rows). */
  private static final int SCORE_FLOATS = 4096;
  private final int n;
  private final int d;
  /** The store by dimension: {@code cols[i][j]} is row j's coordinate i. */
  private final float[][] cols;
  /** The store by row (copies of the given rows): what the prefilter's candidates are scored from. */
  private final float[][] rows;
  /** The int8 copy that narrows a single query's scan; null for small stores. */
  private final Int8Prefilter prefilter;
  /** Threads one prefiltered query's scan is split over (1: the calling thread alone). */
  private final int scanThreads;

  /**
   * The system property that splits a single query's prefilter scan over this many threads (the
   * calling one and the common pool's; default 1). It lowers one decision's latency on a large
   * store only while other cores are idle: under load the part waiting for a busy core makes it
   * slower (docs/BENCHMARKS.md).
   */
  public static final String SCAN_THREADS_PROPERTY = "carrot.index.scanThreads";

  /** Indexes unit-length {@code rows} for exact cosine search. */
  public ExactKnnIndex(float[][] rows) {
    this(rows, (long) rows.length * (rows.length == 0 ? 0 : rows[0].length) >= PREFILTER_VALUES);
  }

  /** {@code prefilter}: whether single queries go through the int8 prefilter (the answers are the same). */
  ExactKnnIndex(float[][] rows, boolean prefilter) {
    this.n = rows.length;
    this.d = n == 0 ? 0 : rows[0].length;
    this.cols = new float[d][n];
    this.rows = new float[n][];
    for (int j = 0; j < n; j++) {
      float[] r = rows[j];
      if (r.length != d) {
        throw new CarrotException("row " + j + " has dimension " + r.length + ", expected " + d + " like row 0");
      }
      this.rows[j] = r.clone();
      for (int i = 0; i < d; i++) {
        cols[i][j] = r[i];
      }
    }
    this.prefilter = prefilter && n > 0 ? new Int8Prefilter(this.rows, d) : null;
    this.scanThreads = Math.max(1, Integer.getInteger(SCAN_THREADS_PROPERTY, 1));
  }

  private ExactKnnIndex(ExactKnnIndex base, int scanThreads) {
    this.n = base.n;
    this.d = base.d;
    this.cols = base.cols;
    this.rows = base.rows;
    this.prefilter = base.prefilter;
    this.scanThreads = scanThreads;
  }

  /**
   * This store (shared, not copied) with a single query's prefilter scan split over {@code threads}
   * (the same answers: every row's score is computed the same way whoever computes it).
   */
  public ExactKnnIndex withScanThreads(int threads) {
    if (threads < 1) {
      throw new CarrotException("scan threads must be >= 1, got " + threads);
    }
    return new ExactKnnIndex(this, threads);
  }

  /** Threads a single prefiltered query's scan is split over. */
  public int scanThreads() {
    return scanThreads;
  }

  /** Whether single queries go through the int8 prefilter (the store has at least {@link #PREFILTER_VALUES} values). */
  public boolean prefiltered() {
    return prefilter != null;
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
    return rows[j].clone();
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

  /** Summed in double per row, dimensions in order. */
  @Override
  public float[] similarities(float[] q, int[] rows) {
    float[] out = new float[rows.length];
    for (int c = 0; c < rows.length; c++) {
      float[] x = this.rows[rows[c]];
      double acc = 0;
      for (int i = 0; i < d; i++) {
        acc += (double) q[i] * x[i];
      }
      out[c] = (float) acc;
    }
    return out;
  }

  @Override
  public int[] topK(float[] q, int k, boolean[] excluded) {
    if (q.length != d) {
      throw new CarrotException("query has dimension " + q.length + ", the index holds " + d);
    }
    if (prefilter == null) {
      float[] s = new float[n];
      scores(q, s);
      return select(s, k, excluded);
    }
    // the candidates hold the exact top k; scored with the scan's arithmetic, they rank as the scan would
    int[] cand = prefilter.candidates(q, k, excluded, scanThreads);
    int[] best = select(candidateScores(q, cand), k, null);
    for (int c = 0; c < best.length; c++) {
      best[c] = cand[best[c]];
    }
    return best;
  }

  /**
   * The scan's score of each of {@code rows}, bit for bit: one float accumulator per row, {@code +=
   * q[i] * x[i]} in dimension order, as {@link VectorMath#dot}. Four rows share a loop so that
   * their four dependent chains of additions overlap; each row's own order is unchanged.
   */
  private float[] candidateScores(float[] q, int[] rows) {
    float[] s = new float[rows.length];
    int c = 0;
    for (; c + 4 <= rows.length; c += 4) {
      float[] x0 = this.rows[rows[c]];
      float[] x1 = this.rows[rows[c + 1]];
      float[] x2 = this.rows[rows[c + 2]];
      float[] x3 = this.rows[rows[c + 3]];
      float s0 = 0;
      float s1 = 0;
      float s2 = 0;
      float s3 = 0;
      for (int i = 0; i < d; i++) {
        float qi = q[i];
        s0 += qi * x0[i];
        s1 += qi * x1[i];
        s2 += qi * x2[i];
        s3 += qi * x3[i];
      }
      s[c] = s0;
      s[c + 1] = s1;
      s[c + 2] = s2;
      s[c + 3] = s3;
    }
    for (; c < rows.length; c++) {
      s[c] = VectorMath.dot(q, this.rows[rows[c]]);
    }
    return s;
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
