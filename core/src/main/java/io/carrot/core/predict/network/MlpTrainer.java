package io.carrot.core.predict.network;

import io.carrot.core.CarrotException;
import io.carrot.core.ProgressListener;
import io.carrot.core.predict.TrainingSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fits {@link MlpPredictor}: one AdamW training run per grid point (hidden units x weight decay),
 * each stopped early on validation, keeping its best quality and best token snapshot. Quality
 * then comes from the candidate with the lowest validation cross-entropy (quality decides
 * routing), tokens from the one with the lowest token error, where the candidates are each run
 * alone and all runs averaged (a bag of the grid, which lowers the per-model noise an argmax over
 * many models amplifies). Grid points train in parallel, each on its own thread from the same seed,
 * so the result does not depend on the number of cores.
 *
 * @param hidden hidden-layer sizes tried
 * @param weightDecay decoupled weight decays tried
 * @param batchSize prompts per minibatch
 * @param maxEpochs upper bound on passes over the training set
 * @param patience epochs without a better validation loss before a run stops
 * @param tokenLossWeight weight of the token loss next to quality's in training
 */
public record MlpTrainer(
    List<Integer> hidden,
    List<Double> weightDecay,
    double learningRate,
    int batchSize,
    int maxEpochs,
    int patience,
    double tokenLossWeight,
    long seed) {

  /** Validates the grid and the optimizer settings. */
  public MlpTrainer {
    hidden = List.copyOf(hidden);
    weightDecay = List.copyOf(weightDecay);
    if (hidden.isEmpty() || hidden.stream().anyMatch(h -> h < 1)) {
      throw new CarrotException("mlp hidden sizes must be a non-empty list of whole numbers >= 1, got " + hidden);
    }
    if (weightDecay.isEmpty() || weightDecay.stream().anyMatch(w -> !(w >= 0))) {
      throw new CarrotException("mlp weight decays must be a non-empty list of numbers >= 0, got " + weightDecay);
    }
    if (!(learningRate > 0) || batchSize < 1 || maxEpochs < 1 || patience < 1 || !(tokenLossWeight >= 0)) {
      throw new CarrotException("mlp needs learning rate > 0, batch size, max epochs and patience >= 1 and a token"
          + " weight >= 0; got " + learningRate + ", " + batchSize + ", " + maxEpochs + ", " + patience + ", " + tokenLossWeight);
    }
  }

  /** The grid and settings of {@code --estimator mlp}. */
  public static MlpTrainer defaults() {
    return new MlpTrainer(List.of(32, 128), List.of(1e-3, 1e-1), 1e-3, 64, 200, 10, 0.5, 42);
  }

  public MlpTrainer withGrid(List<Integer> hiddenSizes, List<Double> decays) {
    return new MlpTrainer(hiddenSizes, decays, learningRate, batchSize, maxEpochs, patience, tokenLossWeight, seed);
  }

  public MlpTrainer withSeed(long s) {
    return new MlpTrainer(hidden, weightDecay, learningRate, batchSize, maxEpochs, patience, tokenLossWeight, s);
  }

  public MlpTrainer withEpochs(int max, int patienceEpochs) {
    return new MlpTrainer(hidden, weightDecay, learningRate, batchSize, max, patienceEpochs, tokenLossWeight, seed);
  }

  /** Fits on {@code train}, stopping early and choosing the grid point on {@code validation}. */
  public MlpPredictor fit(TrainingSet train, TrainingSet validation, ProgressListener progress) {
    return fitWithRuns(train, validation, progress).predictor();
  }

  /** The predictor, every grid point's run (grid order) and the standardized validation data. */
  record Result(MlpPredictor predictor, List<NetworkTraining.Run> runs, NetworkTraining.Data validation) {}

  Result fitWithRuns(TrainingSet train, TrainingSet validation, ProgressListener progress) {
    if (validation == null || validation.size() == 0) {
      throw new CarrotException("the mlp estimator stops early and chooses its size on the validation split, which is empty");
    }
    int m = train.models().size();
    Standardizer std = Standardizer.of(train);
    NetworkTraining.Data tr = std.data(train, true);
    NetworkTraining.Data va = std.data(validation, true);
    if (!hasEntry(validation)) {
      throw new CarrotException("the mlp estimator needs validation prompts with scores; the validation split has none");
    }
    NetworkTraining.Options opt = new NetworkTraining.Options(learningRate, batchSize, maxEpochs, patience, tokenLossWeight);
    List<int[]> grid = new ArrayList<>();
    for (int h = 0; h < hidden.size(); h++) {
      for (int w = 0; w < weightDecay.size(); w++) {
        grid.add(new int[] {h, w});
      }
    }
    String stage = "fitting mlp (" + grid.size() + " grid points)";
    AtomicInteger done = new AtomicInteger();
    progress.update(stage, 0, grid.size());
    List<NetworkTraining.Run> runs = parallel(grid.size(), i -> {
      NetworkTraining.Run r = NetworkTraining.run(tr, va, hidden.get(grid.get(i)[0]), weightDecay.get(grid.get(i)[1]), opt, seed,
          NetworkTraining.Snapshot.JOINT);
      progress.update(stage, done.incrementAndGet(), grid.size());
      return r;
    });
    List<MlpPredictor.Trial> trials = new ArrayList<>();
    for (NetworkTraining.Run r : runs) {
      trials.add(new MlpPredictor.Trial(r.hidden(), r.weightDecay(), r.epochs(), r.qualityEpoch(), r.qualityLoss(),
          r.tokenEpoch(), r.tokenLoss()));
    }
    // candidates: each run's best snapshot alone, then all of them averaged (a bag of the grid)
    List<List<Integer>> candidates = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      candidates.add(List.of(i));
    }
    if (runs.size() > 1) {
      candidates.add(java.util.stream.IntStream.range(0, runs.size()).boxed().toList());
    }
    List<Integer> qBest = null;
    List<Integer> tBest = null;
    double qLoss = Double.POSITIVE_INFINITY;
    double tLoss = Double.POSITIVE_INFINITY;
    for (List<Integer> c : candidates) {
      double lq = qualityLoss(c.stream().map(i -> runs.get(i).qualityNet().outputs(0, m)).toList(), va);
      double lt = tokenLoss(c.stream().map(i -> runs.get(i).tokenNet().outputs(m, 2 * m)).toList(), va);
      if (lq < qLoss) {
        qLoss = lq;
        qBest = c;
      }
      if (lt < tLoss) {
        tLoss = lt;
        tBest = c;
      }
    }
    List<MlpNetwork> qualityNets = qBest.stream().map(i -> runs.get(i).qualityNet().outputs(0, m)).toList();
    List<MlpNetwork> tokenNets = tBest.stream().map(i -> runs.get(i).tokenNet().outputs(m, 2 * m)).toList();
    double[] factor = tokenFactors(tokenNets, va, validation, std);
    MlpPredictor.Fit fit = new MlpPredictor.Fit(seed, learningRate, batchSize, maxEpochs, patience, tokenLossWeight, trials,
        qBest, qLoss, tBest, tLoss);
    MlpPredictor p = new MlpPredictor(train.models(), std.mean(), std.scale(), qualityNets, tokenNets, std.tokenMean(),
        std.tokenStd(), factor, fit);
    return new Result(p, runs, va);
  }

  private static boolean hasEntry(TrainingSet s) {
    for (double[] row : s.quality()) {
      for (double v : row) {
        if (v == v) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Per model, the factor {@code c} minimizing the validation squared error of {@code c * e - 1}
   * against the tokens, {@code e = exp(back-transformed head)}: {@code c = sum (1 + t) e / sum e^2}.
   * 1 where the model has no validation entry.
   */
  private static double[] tokenFactors(List<MlpNetwork> tokenNets, NetworkTraining.Data va, TrainingSet validation, Standardizer std) {
    int m = tokenNets.get(0).outputs();
    double[] num = new double[m];
    double[] den = new double[m];
    for (int i = 0; i < va.size(); i++) {
      double[] z = MlpPredictor.tokenScores(tokenNets, va.x()[i]);
      for (int j = 0; j < m; j++) {
        double t = validation.outputTokens()[i][j];
        if (t == t) {
          double e = StrictMath.exp(std.tokenMean()[j] + std.tokenStd()[j] * z[j]);
          num[j] += (1 + t) * e;
          den[j] += e * e;
        }
      }
    }
    double[] c = new double[m];
    for (int j = 0; j < m; j++) {
      c[j] = den[j] > 0 && num[j] > 0 ? num[j] / den[j] : 1;
    }
    return c;
  }

  /**
   * Mean validation cross-entropy of the quality that {@link MlpPredictor} computes from {@code
   * nets} (their probabilities averaged), over every observed entry.
   */
  static double qualityLoss(List<MlpNetwork> nets, NetworkTraining.Data va) {
    double sum = 0;
    long n = 0;
    for (int i = 0; i < va.size(); i++) {
      double[] p = MlpPredictor.quality(nets, va.x()[i]);
      double[] y = va.quality()[i];
      for (int j = 0; j < p.length; j++) {
        if (y[j] == y[j]) {
          double q = Math.min(1 - 1e-15, Math.max(1e-15, p[j]));
          sum -= y[j] * StrictMath.log(q) + (1 - y[j]) * StrictMath.log(1 - q);
          n++;
        }
      }
    }
    return sum / n;
  }

  /** Mean validation squared error of the averaged standardized token scores of {@code nets}. */
  static double tokenLoss(List<MlpNetwork> nets, NetworkTraining.Data va) {
    double sum = 0;
    long n = 0;
    for (int i = 0; i < va.size(); i++) {
      double[] z = MlpPredictor.tokenScores(nets, va.x()[i]);
      double[] u = va.tokens()[i];
      for (int j = 0; j < z.length; j++) {
        if (u[j] == u[j]) {
          sum += (z[j] - u[j]) * (z[j] - u[j]);
          n++;
        }
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  /** Runs {@code task(0..n-1)} on up to as many threads as there are cores; results in index order. */
  static <T> List<T> parallel(int n, java.util.function.IntFunction<T> task) {
    int threads = Math.max(1, Math.min(n, Runtime.getRuntime().availableProcessors()));
    if (threads == 1) {
      List<T> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        out.add(task.apply(i));
      }
      return out;
    }
    try (ExecutorService ex = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "carrot-mlp");
      t.setDaemon(true);
      return t;
    })) {
      List<Future<T>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int idx = i;
        fs.add(ex.submit(() -> task.apply(idx)));
      }
      List<T> out = new ArrayList<>();
      for (Future<T> f : fs) {
        out.add(f.get());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CarrotException("mlp training was interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new CarrotException("mlp training failed: " + e.getCause(), e.getCause());
    }
  }

  /**
   * Input standardization (per-dimension mean and 1 / standard deviation over the training
   * prompts) and token standardization (per-model mean and deviation of log1p tokens over its
   * entries).
   */
  record Standardizer(float[] mean, float[] scale, double[] tokenMean, double[] tokenStd) {
    static Standardizer of(TrainingSet train) {
      int n = train.size();
      int d = train.dimension();
      double[] mu = new double[d];
      double[] sq = new double[d];
      for (float[] x : train.embeddings()) {
        for (int a = 0; a < d; a++) {
          mu[a] += x[a];
        }
      }
      for (int a = 0; a < d; a++) {
        mu[a] /= n;
      }
      for (float[] x : train.embeddings()) {
        for (int a = 0; a < d; a++) {
          double c = x[a] - mu[a];
          sq[a] += c * c;
        }
      }
      float[] mean = new float[d];
      float[] scale = new float[d];
      for (int a = 0; a < d; a++) {
        double sd = Math.sqrt(sq[a] / n);
        mean[a] = (float) mu[a];
        scale[a] = sd > 1e-12 ? (float) (1 / sd) : 0f;
      }
      int m = train.models().size();
      double[] tm = new double[m];
      double[] ts = new double[m];
      int[] c = new int[m];
      for (double[] row : train.outputTokens()) {
        for (int j = 0; j < m; j++) {
          if (row[j] == row[j]) {
            tm[j] += StrictMath.log1p(Math.max(0, row[j]));
            c[j]++;
          }
        }
      }
      for (int j = 0; j < m; j++) {
        tm[j] = c[j] > 0 ? tm[j] / c[j] : 0;
      }
      for (double[] row : train.outputTokens()) {
        for (int j = 0; j < m; j++) {
          if (row[j] == row[j]) {
            double e = StrictMath.log1p(Math.max(0, row[j])) - tm[j];
            ts[j] += e * e;
          }
        }
      }
      for (int j = 0; j < m; j++) {
        double sd = c[j] > 1 ? Math.sqrt(ts[j] / c[j]) : 0;
        ts[j] = sd > 1e-9 ? sd : 1;
      }
      return new Standardizer(mean, scale, tm, ts);
    }

    float[] input(float[] x) {
      return MlpPredictor.standardize(x, mean, scale);
    }

    /** The network's view of {@code s}: standardized inputs, quality and (when asked) standardized tokens. */
    NetworkTraining.Data data(TrainingSet s, boolean withTokens) {
      int n = s.size();
      int m = s.models().size();
      float[][] x = new float[n][];
      double[][] u = new double[n][withTokens ? m : 0];
      for (int i = 0; i < n; i++) {
        x[i] = input(s.embeddings()[i]);
        if (withTokens) {
          for (int j = 0; j < m; j++) {
            double t = s.outputTokens()[i][j];
            u[i][j] = t == t ? (StrictMath.log1p(Math.max(0, t)) - tokenMean[j]) / tokenStd[j] : Double.NaN;
          }
        }
      }
      return new NetworkTraining.Data(x, s.quality(), u);
    }
  }
}
