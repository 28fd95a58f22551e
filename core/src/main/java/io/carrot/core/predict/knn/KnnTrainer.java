package io.carrot.core.predict.knn;

import io.carrot.core.CarrotException;
import io.carrot.core.Permutations;
import io.carrot.core.index.ExactKnnIndex;
import io.carrot.core.index.VectorIndexes;
import io.carrot.core.predict.TrainingSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Fits {@link KnnPredictor}: chooses {@code k} by 5-fold cross-validation on the training set.
 *
 * <p>The CV score is sklearn's default for multi-output regression: the mean over outputs (each
 * model's quality and each model's output tokens) of R^2, so that quality and tokens count
 * equally whatever their scales. Outputs with no variance are skipped. For speed, at most
 * {@link #maxCvQueries} held-out prompts (chosen with the seed) are scored; each is predicted from
 * the training prompts outside its fold, exactly as in 5-fold CV.
 */
public final class KnnTrainer {
  /** The paper's grid: powers of two from 2 to 512. */
  public static final int[] DEFAULT_GRID = {2, 4, 8, 16, 32, 64, 128, 256, 512};

  private final int fixedK;
  private final int[] grid;
  private final int folds;
  private final long seed;
  private final int maxCvQueries;

  private KnnTrainer(int fixedK, int[] grid, int folds, long seed, int maxCvQueries) {
    this.fixedK = fixedK;
    this.grid = grid.clone();
    java.util.Arrays.sort(this.grid);
    this.folds = folds;
    this.seed = seed;
    this.maxCvQueries = maxCvQueries;
  }

  /** k chosen by 5-fold CV over {@link #DEFAULT_GRID}, seed 42. */
  public static KnnTrainer auto() {
    return new KnnTrainer(0, DEFAULT_GRID, 5, 42, 4000);
  }

  /** A fixed k; no cross-validation. */
  public static KnnTrainer fixed(int k) {
    if (k < 1) {
      throw new CarrotException("k must be a whole number >= 1 or 'auto', got " + k);
    }
    return new KnnTrainer(k, new int[] {k}, 5, 42, 4000);
  }

  /** Seed of the cross-validation folds. */
  public long seed() {
    return seed;
  }

  /** This trainer with another seed. */
  public KnnTrainer withSeed(long s) {
    return new KnnTrainer(fixedK, grid, folds, s, maxCvQueries);
  }

  /** This trainer choosing k among {@code g}. */
  public KnnTrainer withGrid(int[] g) {
    return new KnnTrainer(fixedK, g, folds, seed, maxCvQueries);
  }

  /** This trainer scoring at most {@code q} held-out prompts in cross-validation. */
  public KnnTrainer withMaxCvQueries(int q) {
    return new KnnTrainer(fixedK, grid, folds, seed, q);
  }

  /** Fits on {@code data}; {@code progress} receives the number of CV queries done so far. */
  public KnnPredictor fit(TrainingSet data, IntConsumer progress) {
    int n = data.size();
    int m = data.models().size();
    float[] q = new float[n * m];
    float[] t = new float[n * m];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        q[i * m + j] = (float) data.quality()[i][j];
        t[i * m + j] = (float) data.outputTokens()[i][j];
      }
    }
    ExactKnnIndex index = new ExactKnnIndex(data.embeddings());
    Map<String, Object> diag = new LinkedHashMap<>();
    int k;
    if (fixedK > 0) {
      k = Math.min(fixedK, n);
      diag.put("k_selection", "fixed");
    } else {
      double[] cvScores = crossValidate(data, index, progress);
      int best = 0;
      for (int g = 1; g < grid.length; g++) {
        if (cvScores[g] > cvScores[best]) {
          best = g;
        }
      }
      k = grid[best];
      Map<String, Double> curve = new LinkedHashMap<>();
      for (int g = 0; g < grid.length; g++) {
        if (!Double.isNaN(cvScores[g])) {
          curve.put(Integer.toString(grid[g]), cvScores[g]);
        }
      }
      diag.put("k_selection", folds + "-fold CV, mean R^2 over quality and output tokens, seed " + seed);
      diag.put("cv_r2_by_k", curve);
    }
    return new KnnPredictor(data.models(), VectorIndexes.reindex(index, data.embeddings()), q, t, k, diag);
  }

  /** Number of CV queries {@link #fit} will run for {@code n} training prompts (0 for a fixed k). */
  public int cvQueryCount(int n) {
    return fixedK > 0 ? 0 : Math.min(n, maxCvQueries);
  }

  /** Mean R^2 per grid entry (NaN where k exceeds the fold's training size). */
  double[] crossValidate(TrainingSet data, ExactKnnIndex index, IntConsumer progress) {
    int n = data.size();
    if (n < folds * 2) {
      throw new CarrotException(
          "k by cross-validation needs at least " + (folds * 2) + " training prompts, got " + n
              + "; pass a fixed k");
    }
    int m = data.models().size();
    int[] perm = Permutations.seeded(n, seed);
    int[] fold = new int[n];
    for (int i = 0; i < n; i++) {
      fold[perm[i]] = i % folds;
    }
    int queries = Math.min(n, maxCvQueries);
    int[] queryRows = Arrays.copyOf(perm, queries);
    int minFoldTrain = n - (n + folds - 1) / folds;
    int kmax = 0;
    for (int g : grid) {
      if (g <= minFoldTrain) {
        kmax = Math.max(kmax, g);
      }
    }
    if (kmax == 0) {
      throw new CarrotException("every k in the grid exceeds the training size " + minFoldTrain);
    }
    // Sparse data: each model averages its k nearest neighbours that have an entry for it, found
    // among a wider search (KnnPredictor.searchWidth); dense data searches exactly kmax.
    final int kTop = KnnPredictor.searchWidth(kmax, data.coverage(), minFoldTrain);
    final int[] gridK = grid;
    // predictions per query, grid entry, output (quality then tokens); NaN where no neighbour had an entry
    double[][][] pred = new double[queries][][];
    java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
    // the queries of one fold share the excluded rows, so they are searched together
    for (int f = 0; f < folds; f++) {
      int ff = f;
      int[] inFold = IntStream.range(0, queries).filter(qi -> fold[queryRows[qi]] == ff).toArray();
      if (inFold.length == 0) {
        continue;
      }
      boolean[] excl = new boolean[n];
      for (int j = 0; j < n; j++) {
        excl[j] = fold[j] == f;
      }
      float[][] qs = new float[inFold.length][];
      for (int c = 0; c < inFold.length; c++) {
        qs[c] = data.embeddings()[queryRows[inFold[c]]];
      }
      int[][] found = index.topK(qs, kTop, excl);
      IntStream.range(0, inFold.length)
        .parallel()
        .forEach(
            at -> {
              int qi = inFold[at];
              int[] nn = found[at];
              double[] sumQ = new double[m];
              double[] sumT = new double[m];
              int[] cnt = new int[m];
              int[] next = new int[m]; // next grid entry per model
              double[][] out = new double[gridK.length][2 * m];
              for (double[] o : out) {
                java.util.Arrays.fill(o, Double.NaN);
              }
              for (int c = 0; c < nn.length; c++) {
                double[] qr = data.quality()[nn[c]];
                double[] tr = data.outputTokens()[nn[c]];
                for (int j = 0; j < m; j++) {
                  if (Double.isNaN(qr[j])) {
                    continue;
                  }
                  sumQ[j] += qr[j];
                  sumT[j] += tr[j];
                  cnt[j]++;
                  while (next[j] < gridK.length && gridK[next[j]] == cnt[j]) {
                    out[next[j]][j] = sumQ[j] / cnt[j];
                    out[next[j]][m + j] = sumT[j] / cnt[j];
                    next[j]++;
                  }
                }
              }
              for (int j = 0; j < m; j++) { // fewer labelled neighbours than k: the mean of those found
                for (int g = next[j]; g < gridK.length && cnt[j] > 0; g++) {
                  out[g][j] = sumQ[j] / cnt[j];
                  out[g][m + j] = sumT[j] / cnt[j];
                }
              }
              pred[qi] = out;
              progress.accept(done.incrementAndGet());
            });
    }
    double[] score = new double[grid.length];
    for (int g = 0; g < grid.length; g++) {
      if (grid[g] > kmax) {
        score[g] = Double.NaN;
        continue;
      }
      score[g] = meanR2(data, queryRows, pred, g, m);
    }
    return score;
  }

  private static double meanR2(TrainingSet data, int[] rows, double[][][] pred, int g, int m) {
    List<Double> r2 = new ArrayList<>();
    for (int j = 0; j < 2 * m; j++) {
      double mean = 0;
      int n = 0;
      for (int qi = 0; qi < rows.length; qi++) {
        double y = target(data, rows[qi], j, m);
        if (!Double.isNaN(y) && !Double.isNaN(pred[qi][g][j])) {
          mean += y;
          n++;
        }
      }
      if (n == 0) {
        continue;
      }
      mean /= n;
      double sst = 0;
      double sse = 0;
      for (int qi = 0; qi < rows.length; qi++) {
        double y = target(data, rows[qi], j, m);
        double e = y - pred[qi][g][j];
        if (Double.isNaN(e)) {
          continue; // no entry, or no labelled neighbour
        }
        sse += e * e;
        sst += (y - mean) * (y - mean);
      }
      if (sst > 0) {
        r2.add(1 - sse / sst);
      }
    }
    return r2.stream().mapToDouble(Double::doubleValue).average().orElse(0);
  }

  private static double target(TrainingSet data, int row, int j, int m) {
    return j < m ? data.quality()[row][j] : data.outputTokens()[row][j - m];
  }
}
