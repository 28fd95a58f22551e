package io.carrot.core.index;

import java.util.Arrays;

/**
 * An int8 copy of a store, by dimension, that bounds every row's float score from a quarter of the
 * bytes: the candidates it returns are guaranteed to contain the exact top {@code k}, so re-ranking
 * only them with the float scan's own arithmetic gives exactly the answer of a full float scan.
 *
 * <p>Why: a single query's float scan reads every stored float from memory (46 MB at 30,000 x 384)
 * and is memory-bound; the int8 columns are 4x smaller (and at that size fit a server's last-level
 * cache). Each row {@code x} is stored as {@code s * b}, {@code b} int8 rounded from {@code x / s},
 * {@code s = max|x_i| / 127}. With the residual {@code r = x - s b}, {@code |q.x - s (q.b)| <= |q|
 * |r|} (Cauchy-Schwarz), and both float sums (this one and the exact scan's) are within {@code
 * gamma |q| (|x| + |r|)} of their real values, {@code gamma = (d + 2) 2^-23} (twice the textbook
 * bound for {@code d} float additions, in any order). Each row keeps {@code bound = |r| + gamma (2|x|
 * + |r|)} plus a margin for the roundings outside the sums, rounded up; a query's error on row {@code
 * j} is at most {@code |q| bound_j}.
 *
 * <p>Selection: let {@code tau} be the {@code k}-th largest lower bound {@code approx_j - |q|
 * bound_j}. At least {@code k} rows score {@code >= tau} exactly, so every row of the exact top
 * {@code k} (ties included) has {@code approx_j + |q| bound_j >= tau}: those rows are the
 * candidates. No randomness and no recall parameter: the prefilter only decides how much work the
 * exact re-rank does.
 */
final class Int8Prefilter {
  /** Rows scored per pass (128 KB of scores: they stay in L2 while every dimension is added in). */
  private static final int TILE = 32768;
  /** Below twice this many rows a scan is not split: the fork costs more than half a scan saves. */
  static final int TILE_MIN_ROWS = 2048;
  private final int n;
  private final int d;
  /** {@code cols[i][j]}: row j's coordinate i as int8. */
  private final byte[][] cols;
  /** Per row: the scale {@code s}. */
  private final float[] scale;
  /** Per row: the error bound of a unit query, see the class comment. */
  private final float[] bound;

  Int8Prefilter(float[][] rows, int d) {
    this.n = rows.length;
    this.d = d;
    this.cols = new byte[d][n];
    this.scale = new float[n];
    this.bound = new float[n];
    double gamma = (d + 2) * 0x1p-23;
    for (int j = 0; j < n; j++) {
      float[] x = rows[j];
      float max = 0;
      for (float v : x) {
        max = Math.max(max, Math.abs(v));
      }
      float s = max == 0 ? 1f : max / 127f;
      double r2 = 0;
      double x2 = 0;
      for (int i = 0; i < d; i++) {
        int b = Math.max(-127, Math.min(127, Math.round(x[i] / s)));
        cols[i][j] = (byte) b;
        double r = (double) x[i] - (double) s * b;
        r2 += r * r;
        x2 += (double) x[i] * x[i];
      }
      double rn = Math.sqrt(r2);
      double xn = Math.sqrt(x2);
      // plus 2^-20 |x|: slack for the roundings outside the sums (the query's norm, the comparisons)
      double bnd = rn + gamma * (2 * xn + rn) + 0x1p-20 * (xn + rn);
      scale[j] = s;
      bound[j] = Math.nextUp((float) (bnd * (1 + 1e-6)));
    }
  }

  /**
   * Rows, in ascending order, that contain the exact top {@code k} of {@code q} among rows not
   * {@code excluded}; all non-excluded rows when fewer than {@code k} of them exist.
   */
  int[] candidates(float[] q, int k, boolean[] excluded) {
    return candidates(q, k, excluded, 1);
  }

  /**
   * {@link #candidates(float[], int, boolean[])} with the scan split into {@code parts} row ranges
   * scored on the common fork-join pool and this thread: every row's sum is computed the same way
   * whoever computes it, so the candidates are the same.
   */
  int[] candidates(float[] q, int k, boolean[] excluded, int parts) {
    float[] approx = new float[n];
    if (parts <= 1 || n < 2 * TILE_MIN_ROWS) {
      scan(q, approx, 0, n);
    } else {
      int chunk = (n + parts - 1) / parts;
      java.util.stream.IntStream.range(0, parts).parallel().forEach(p -> scan(q, approx, p * chunk, Math.min(n, (p + 1) * chunk)));
    }
    double qn = 0;
    for (float v : q) {
      qn += (double) v * v;
    }
    // the query's norm rounded up, so |q| bound_j stays an upper bound after float rounding
    float qNorm = Math.nextUp((float) (Math.sqrt(qn) * (1 + 1e-6)));
    if (k <= 0) {
      return new int[0];
    }
    if (!Float.isFinite(qNorm)) { // a NaN or infinite query bounds nothing: every row is scored as the scan would
      return java.util.stream.IntStream.range(0, n).filter(j -> excluded == null || !excluded[j]).toArray();
    }
    // one pass: the k largest lower bounds so far (a min-heap) give a threshold that only rises, so
    // a row below it now stays below the final tau; rows above it are kept and filtered at the end.
    // In float: each bound's margin (2^-20 |q| |x|) is far above these few roundings.
    float[] heap = new float[k];
    int heapSize = 0;
    float running = Float.NEGATIVE_INFINITY;
    int[] kept = new int[Math.min(n, 256)];
    int size = 0;
    for (int j = 0; j < n; j++) {
      float a = approx[j];
      float slack = qNorm * bound[j];
      if (a + slack < running || (excluded != null && excluded[j])) {
        continue;
      }
      if (size == kept.length) {
        kept = Arrays.copyOf(kept, size * 2);
      }
      kept[size++] = j;
      float lo = a - slack;
      if (heapSize < k) {
        heapSize = push(heap, heapSize, lo);
        if (heapSize == k) {
          running = heap[0];
        }
      } else if (lo > heap[0]) {
        replaceRoot(heap, k, lo);
        running = heap[0];
      }
    }
    int out = 0;
    for (int c = 0; c < size; c++) {
      int j = kept[c];
      if (approx[j] + qNorm * bound[j] >= running) {
        kept[out++] = j;
      }
    }
    return Arrays.copyOf(kept, out);
  }

  /**
   * {@code approx[j] = s_j (q . b_j)} for the rows {@code [from, to)} in float, one tile of rows at a time, four dimensions per
   * pass: a pass loads and stores the tile's scores once for four columns, which HotSpot turns into
   * SIMD code (eight or more dimensions per pass are no longer vectorized, measured). The order of
   * the additions is not the exact scan's, which the error bound allows for.
   */
  private void scan(float[] q, float[] approx, int from, int to) {
    int d4 = d - d % 4;
    for (int t = from; t < to; t += TILE) {
      int end = Math.min(to, t + TILE);
      for (int i = 0; i < d4; i += 4) {
        byte[] c0 = cols[i];
        byte[] c1 = cols[i + 1];
        byte[] c2 = cols[i + 2];
        byte[] c3 = cols[i + 3];
        float q0 = q[i];
        float q1 = q[i + 1];
        float q2 = q[i + 2];
        float q3 = q[i + 3];
        for (int j = t; j < end; j++) {
          approx[j] += q0 * c0[j] + q1 * c1[j] + q2 * c2[j] + q3 * c3[j];
        }
      }
      for (int i = d4; i < d; i++) {
        byte[] col = cols[i];
        float qi = q[i];
        for (int j = t; j < end; j++) {
          approx[j] += qi * col[j];
        }
      }
      for (int j = t; j < end; j++) {
        approx[j] *= scale[j];
      }
    }
  }

  /** Adds {@code v} to the min-heap {@code heap[0..size)}; returns the new size. */
  private static int push(float[] heap, int size, float v) {
    int c = size;
    heap[c] = v;
    while (c > 0 && heap[(c - 1) >>> 1] > heap[c]) {
      int p = (c - 1) >>> 1;
      float t = heap[p];
      heap[p] = heap[c];
      heap[c] = t;
      c = p;
    }
    return size + 1;
  }

  /** Replaces the root (the smallest) of the full min-heap {@code heap[0..size)} by {@code v}. */
  private static void replaceRoot(float[] heap, int size, float v) {
    heap[0] = v;
    int c = 0;
    while (true) {
      int l = 2 * c + 1;
      if (l >= size) {
        return;
      }
      int m = l + 1 < size && heap[l + 1] < heap[l] ? l + 1 : l;
      if (heap[m] >= heap[c]) {
        return;
      }
      float t = heap[m];
      heap[m] = heap[c];
      heap[c] = t;
      c = m;
    }
  }
}
