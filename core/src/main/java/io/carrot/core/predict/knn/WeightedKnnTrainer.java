package io.carrot.core.predict.knn;

import io.carrot.core.CarrotException;
import io.carrot.core.Permutations;
import io.carrot.core.index.VectorIndex;
import io.carrot.core.predict.TrainingSet;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Fits {@link WeightedKnnPredictor}: {@code k}, the kernel width {@code tau} and (for the
 * empirical-Bayes estimator) the prior strengths are chosen on the validation split by squared error
 * of quality (tokens: their own strengths by squared error of tokens, each model's error divided by
 * its validation variance so that models count alike).
 *
 * <p>Each validation prompt is searched once; the neighbour sums for every grid point are read off
 * that one search, so the whole grid costs about as much as predicting the validation split once.
 *
 * <p>Whether the prior strength is one number shared by all models or one per model is decided by
 * 2-fold cross-fitting on validation (strengths chosen on one half, scored on the other, and the
 * other way round; seeded halves), because per-model strengths always fit the split they are chosen
 * on better; the winner's strengths are then refitted on the whole split.
 */
public final class WeightedKnnTrainer {
  static final int[] K_GRID = {8, 16, 32, 64, 128, 256, 512};
  static final double[] TAU_GRID = {0.01, 0.02, 0.05, 0.1, 0.2, Double.POSITIVE_INFINITY};
  static final double[] STRENGTH_GRID = {0, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096};
  private static final int CHUNK = 64;

  private final int[] kGrid;
  private final double[] tauGrid;
  private final double[] strengthGrid;
  private final long seed;

  private WeightedKnnTrainer(int[] kGrid, double[] tauGrid, double[] strengthGrid, long seed) {
    this.kGrid = kGrid.clone();
    Arrays.sort(this.kGrid);
    this.tauGrid = tauGrid.clone();
    this.strengthGrid = strengthGrid.clone();
    this.seed = seed;
    if (this.kGrid.length == 0 || this.kGrid[0] < 1 || this.tauGrid.length == 0 || this.strengthGrid.length == 0) {
      throw new CarrotException("grids must be non-empty, k >= 1");
    }
    for (double t : this.tauGrid) {
      if (!(t > 0)) {
        throw new CarrotException("tau must be > 0 (+inf for uniform weights), got " + t);
      }
    }
    for (double a : this.strengthGrid) {
      if (!(a >= 0 && Double.isFinite(a))) {
        throw new CarrotException("prior strengths must be finite and >= 0, got " + a);
      }
    }
  }

  /** {@code knn-weighted}: similarity weights, no prior (strength 0). */
  public static WeightedKnnTrainer weighted() {
    return new WeightedKnnTrainer(K_GRID, TAU_GRID, new double[] {0}, 42);
  }

  /** {@code knn-shrink}: similarity weights and the empirical-Bayes prior at each model's mean. */
  public static WeightedKnnTrainer shrunk() {
    return new WeightedKnnTrainer(K_GRID, TAU_GRID, STRENGTH_GRID, 42);
  }

  /** This trainer searching other grids (e.g. a single point, to fix a hyper-parameter). */
  public WeightedKnnTrainer withGrids(int[] k, double[] tau, double[] strength) {
    return new WeightedKnnTrainer(k, tau, strength, seed);
  }

  /** This trainer with a fixed {@code k} (tau and the strengths are still chosen). */
  public WeightedKnnTrainer withK(int k) {
    if (k < 1) {
      throw new CarrotException("k must be a whole number >= 1 or 'auto', got " + k);
    }
    return new WeightedKnnTrainer(new int[] {k}, tauGrid, strengthGrid, seed);
  }

  /** Number of validation prompts {@link #fit} searches (its progress total). */
  public static int queryCount(TrainingSet validation) {
    return validation == null ? 0 : validation.size();
  }

  /**
   * Fits on {@code train}, choosing on {@code validation}; {@code progress} receives the number of
   * validation prompts searched so far.
   */
  public WeightedKnnPredictor fit(TrainingSet train, TrainingSet validation, IntConsumer progress) {
    if (validation == null || validation.size() == 0) {
      throw new CarrotException("the weighted KNN estimators choose k, tau and prior strengths on the validation split,"
          + " which is empty; the dataset's split.json must list validation ids");
    }
    int n = train.size();
    int[] ks = Arrays.stream(kGrid).filter(k -> k <= n).toArray();
    if (ks.length == 0) {
      ks = new int[] {n};
    }
    KnnPredictor wide = KnnTrainer.fixed(ks[ks.length - 1]).fit(train, x -> {});
    Sums sums = new Sums(wide, ks, validation, folds(validation.size()), train.coverage());
    sums.run(progress);

    int bestP = 0;
    int bestK = 0;
    int bestT = 0;
    Choice best = null;
    for (int pi = 0; pi < sums.priors.length; pi++) {
      for (int ki = 0; ki < ks.length; ki++) {
        for (int ti = 0; ti < tauGrid.length; ti++) {
          Choice c = choose(sums.quality[pi][ti][ki], null);
          if (best == null || c.crossFitted < best.crossFitted - 1e-12) { // ties keep the simpler prior, smaller k and tau
            best = c;
            bestP = pi;
            bestK = ki;
            bestT = ti;
          }
        }
      }
    }
    Choice tokens = choose(sums.tokens[bestT][bestK], sums.tokenVariance);
    Map<String, Object> diag = new LinkedHashMap<>();
    diag.put("k_selection", "validation squared error of quality, with tau and the prior");
    KnnPredictor store = new KnnPredictor(train.models(), wide.index(), wide.qualityTargets(), wide.tokenTargets(), ks[bestK], diag);
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("chosen_by", "validation squared error (quality; tokens per model relative to their variance)");
    if (strengthGrid.length > 1) {
      h.put("quality_strength_mode", best.shared ? "shared" : "per model");
      h.put("token_strength_mode", tokens.shared ? "shared" : "per model");
      h.put("strength_mode_chosen_by", "2-fold cross-fitting on validation, seed " + seed);
    }
    return new WeightedKnnPredictor(store, tauGrid[bestT], sums.priors[bestP], best.strengths, tokens.strengths, h);
  }

  /** Alternating halves of a seeded permutation of the validation rows. */
  private int[] folds(int n) {
    int[] perm = Permutations.seeded(n, seed);
    int[] fold = new int[n];
    for (int i = 0; i < n; i++) {
      fold[perm[i]] = i % 2;
    }
    return fold;
  }

  /** Strengths chosen by one rule and their error. */
  private record Choice(boolean shared, double[] strengths, double crossFitted) {}

  /**
   * The better of shared and per-model strengths by cross-fitted error, refitted on both halves.
   *
   * @param err [fold][strength][model] squared errors
   * @param variance per model, divides its errors when strengths are shared (null: 1)
   */
  private Choice choose(double[][][] err, double[] variance) {
    int m = err[0][0].length;
    double[] scale = new double[m];
    for (int j = 0; j < m; j++) {
      scale[j] = variance == null ? 1 : variance[j] > 0 ? 1 / variance[j] : 0;
    }
    if (strengthGrid.length == 1) {
      double e = 0;
      for (double[][] f : err) {
        for (int j = 0; j < m; j++) {
          e += scale[j] * f[0][j];
        }
      }
      double[] a = new double[m];
      Arrays.fill(a, strengthGrid[0]);
      return new Choice(true, a, e);
    }
    double[][] all = new double[strengthGrid.length][m];
    for (double[][] f : err) {
      for (int g = 0; g < strengthGrid.length; g++) {
        for (int j = 0; j < m; j++) {
          all[g][j] += f[g][j];
        }
      }
    }
    double sharedCf = 0;
    double perModelCf = 0;
    for (int f = 0; f < 2; f++) {
      double[][] fit = err[1 - f];
      double[][] score = err[f];
      int gs = sharedBest(fit, scale);
      for (int j = 0; j < m; j++) {
        sharedCf += scale[j] * score[gs][j];
        perModelCf += scale[j] * score[modelBest(fit, j)][j];
      }
    }
    double[] a = new double[m];
    boolean shared = sharedCf <= perModelCf;
    int gs = sharedBest(all, scale);
    for (int j = 0; j < m; j++) {
      a[j] = strengthGrid[shared ? gs : modelBest(all, j)];
    }
    return new Choice(shared, a, Math.min(sharedCf, perModelCf));
  }

  private static int sharedBest(double[][] err, double[] scale) {
    int best = 0;
    double bestE = Double.POSITIVE_INFINITY;
    for (int g = 0; g < err.length; g++) {
      double e = 0;
      for (int j = 0; j < scale.length; j++) {
        e += scale[j] * err[g][j];
      }
      if (e < bestE - 1e-12) { // ties keep the weaker prior
        bestE = e;
        best = g;
      }
    }
    return best;
  }

  private static int modelBest(double[][] err, int j) {
    int best = 0;
    for (int g = 1; g < err.length; g++) {
      if (err[g][j] < err[best][j] - 1e-12) {
        best = g;
      }
    }
    return best;
  }

  /**
   * Squared validation errors for every grid point: {@code
   * quality[prior][tau][k][fold][strength][model]}, {@code tokens[tau][k][fold][strength][model]};
   * accumulated over fixed chunks of prompts and added in chunk order, so the result does not
   * depend on thread scheduling.
   */
  private final class Sums {
    final KnnPredictor wide;
    final int[] ks;
    final TrainingSet val;
    final int[] fold;
    final WeightedKnnPredictor.Prior[] priors;
    final double[] theta;
    final double[][][][][][] quality;
    final double[][][][][] tokens;
    final double[] tokenVariance;
    final int[] widths; // per k: the neighbours its predictor searches (more than k for sparse data)

    Sums(KnnPredictor wide, int[] ks, TrainingSet val, int[] fold, double[] coverage) {
      this.wide = wide;
      this.ks = ks;
      this.widths = new int[ks.length];
      for (int g = 0; g < ks.length; g++) {
        widths[g] = KnnPredictor.searchWidth(ks[g], coverage, wide.index().size());
      }
      this.val = val;
      this.fold = fold;
      // with no prior (strength 0) where it sits does not matter
      this.priors = strengthGrid.length == 1 && strengthGrid[0] == 0
          ? new WeightedKnnPredictor.Prior[] {WeightedKnnPredictor.Prior.GLOBAL}
          : WeightedKnnPredictor.Prior.values();
      this.theta = WeightedKnnPredictor.abilities(wide.globalQuality());
      this.quality = newQualityErrors();
      this.tokens = newErrors();
      int m = val.models().size();
      tokenVariance = new double[m];
      for (int j = 0; j < m; j++) {
        double s = 0;
        double s2 = 0;
        int c = 0;
        for (int i = 0; i < val.size(); i++) {
          double y = val.outputTokens()[i][j];
          if (val.observed(i, j)) {
            s += y;
            s2 += y * y;
            c++;
          }
        }
        tokenVariance[j] = c > 0 ? Math.max(0, s2 - s * s / c) : 0;
      }
    }

    private double[][][][][] newErrors() {
      return new double[tauGrid.length][ks.length][2][strengthGrid.length][val.models().size()];
    }

    private double[][][][][][] newQualityErrors() {
      double[][][][][][] e = new double[priors.length][][][][][];
      for (int p = 0; p < priors.length; p++) {
        e[p] = newErrors();
      }
      return e;
    }

    void run(IntConsumer progress) {
      int n = val.size();
      int chunks = (n + CHUNK - 1) / CHUNK;
      AtomicInteger done = new AtomicInteger();
      record Part(double[][][][][][] quality, double[][][][][] tokens) {}
      List<Part> parts =
          IntStream.range(0, chunks)
              .parallel()
              .mapToObj(
                  c -> {
                    Part acc = new Part(newQualityErrors(), newErrors());
                    int from = c * CHUNK;
                    int to = Math.min(n, (c + 1) * CHUNK);
                    int[][] nn = wide.index().topK(java.util.Arrays.copyOfRange(val.embeddings(), from, to), wide.searchWidth(), null);
                    for (int i = from; i < to; i++) {
                      add(i, nn[i - from], acc.quality, acc.tokens);
                      progress.accept(done.incrementAndGet());
                    }
                    return acc;
                  })
              .toList();
      for (Part p : parts) {
        for (int pi = 0; pi < priors.length; pi++) {
          addInto(quality[pi], p.quality[pi]);
        }
        addInto(tokens, p.tokens);
      }
    }

    private static void addInto(double[][][][][] to, double[][][][][] from) {
      for (int a = 0; a < to.length; a++) {
        for (int b = 0; b < to[a].length; b++) {
          for (int c = 0; c < to[a][b].length; c++) {
            for (int d = 0; d < to[a][b][c].length; d++) {
              for (int e = 0; e < to[a][b][c][d].length; e++) {
                to[a][b][c][d][e] += from[a][b][c][d][e];
              }
            }
          }
        }
      }
    }

    /** Adds validation prompt {@code i}'s errors at every grid point. */
    private void add(int i, int[] rows, double[][][][][][] qe, double[][][][][] te) {
      float[] x = val.embeddings()[i];
      VectorIndex index = wide.index();
      float[] sims = index.similarities(x, rows);
      int m = val.models().size();
      float[] q = wide.qualityTargets();
      float[] t = wide.tokenTargets();
      double[] gt = wide.globalTokens();
      int f = fold[i];
      double[] w = new double[rows.length];
      for (int ti = 0; ti < tauGrid.length; ti++) {
        for (int c = 0; c < rows.length; c++) {
          w[c] = Double.isInfinite(tauGrid[ti]) ? 1 : Math.exp((sims[c] - sims[0]) / tauGrid[ti]);
        }
        double[][][] prior = priorsOf(rows, w); // [prior][k][model]
        for (int j = 0; j < m; j++) {
          if (!val.observed(i, j)) {
            continue;
          }
          double yq = val.quality()[i][j];
          double yt = val.outputTokens()[i][j];
          double sq = 0;
          double st = 0;
          double sw = 0;
          int cnt = 0;
          int next = 0;
          for (int c = 0; c <= rows.length && next < ks.length; c++) {
            // a k whose search ends here (or that has found k labelled neighbours) is complete
            while (next < ks.length && (c == widths[next] || c == rows.length || ks[next] == cnt)) {
              for (int pi = 0; pi < priors.length; pi++) {
                addQuality(qe[pi][ti][next][f], j, sq, sw, prior[pi][next][j], yq);
              }
              addTokens(te[ti][next][f], j, st, sw, gt[j], yt);
              next++;
            }
            if (next == ks.length || c == rows.length) {
              break;
            }
            float v = q[rows[c] * m + j];
            if (!Float.isNaN(v)) {
              sq += w[c] * v;
              st += w[c] * t[rows[c] * m + j];
              sw += w[c];
              cnt++;
            }
          }
        }
      }
    }

    /** Per prior and k: each model's prior for this prompt's neighbours under weights {@code w}. */
    private double[][][] priorsOf(int[] rows, double[] w) {
      double[][][] out = new double[priors.length][ks.length][];
      int m = val.models().size();
      float[] q = wide.qualityTargets();
      double[] weight = new double[m];
      double score = 0;
      int c = 0;
      for (int ki = 0; ki < ks.length; ki++) {
        for (int pi = 0; pi < priors.length; pi++) {
          if (priors[pi] == WeightedKnnPredictor.Prior.GLOBAL) {
            out[pi][ki] = wide.globalQuality();
            continue;
          }
          for (int end = Math.min(ks[ki], rows.length); c < end; c++) {
            for (int j = 0; j < m; j++) {
              float v = q[rows[c] * m + j];
              if (!Float.isNaN(v)) {
                weight[j] += w[c];
                score += w[c] * v;
              }
            }
          }
          out[pi][ki] = WeightedKnnPredictor.difficultyPrior(theta, weight, score);
        }
      }
      return out;
    }

    private void addQuality(double[][] qe, int j, double sq, double sw, double prior, double yq) {
      for (int g = 0; g < strengthGrid.length; g++) {
        double e = Math.min(1, Math.max(0, WeightedKnnPredictor.shrink(sq, sw, strengthGrid[g], prior))) - yq;
        qe[g][j] += e * e;
      }
    }

    private void addTokens(double[][] te, int j, double st, double sw, double prior, double yt) {
      for (int g = 0; g < strengthGrid.length; g++) {
        double e = Math.max(0, WeightedKnnPredictor.shrink(st, sw, strengthGrid[g], prior)) - yt;
        te[g][j] += e * e;
      }
    }
  }
}
