package io.carrot.core.predict.network;

import io.carrot.core.CarrotException;
import io.carrot.core.linalg.Cholesky;
import io.carrot.core.predict.Dimensions;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CARROT-linear on frozen embeddings: one linear model per output (each model's quality and each
 * model's output tokens) on the prompt embedding, the regularization of each output chosen on
 * validation. Quality is either ridge regression clamped to [0, 1] (a linear probability model) or
 * logistic regression; tokens are either ridge regression on the raw counts (clamped at 0) or on
 * log1p(tokens), whose back-transform is scaled per model to a mean. Each model's quality link and
 * token scale are chosen on the validation squared error, the same criterion that chooses the
 * ridge strengths. Ridge fits are closed-form (one Cholesky factorization per strength); logistic
 * fits run AdamW with decoupled weight decay (an L2 shrinkage) and per-output early stopping on
 * validation, seeded, so fitting is deterministic.
 *
 * <p>Files written before logistic quality and log-scale tokens existed have neither field and
 * read as identity quality and raw tokens, predicting exactly what they did.
 */
public final class LinearPredictor implements Predictor {
  public static final String KIND = "linear";
  /** Ridge strength (times n) used for an output that has no validation entry to choose by. */
  static final double DEFAULT_LAMBDA = 0.1;

  /** Ridge strengths tried, as multiples of the number of training prompts. */
  public static final double[] LAMBDAS = {1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1, 3};

  /** Decoupled weight decays tried for logistic quality. */
  static final List<Double> LOGISTIC_DECAYS = List.of(1e-3, 1e-1);

  /** Optimizer of the logistic fits: learning rate, batch, max epochs, patience (tokens unused). */
  static final NetworkTraining.Options LOGISTIC_OPTIONS = new NetworkTraining.Options(3e-3, 64, 100, 5, 0);

  static final long SEED = 42;

  /** How a quality output becomes a prediction. */
  public enum QualityLink {
    /** Ridge regression clamped to [0, 1]. */
    IDENTITY,
    /** Logistic regression: the sigmoid of the linear score. */
    LOGISTIC
  }

  /** How a token output becomes a prediction. */
  public enum TokenScale {
    /** Ridge regression on the counts, clamped at 0. */
    RAW,
    /** Ridge regression on log1p(tokens); prediction exp(score) - 1 (the scale is in the bias). */
    LOG1P
  }

  private final List<String> models;
  private final int d;
  private final float[] weights; // d x 2M row-major: column j < M quality of model j, else tokens
  private final double[] bias; // 2M
  private final double[] lambdas; // chosen per output: ridge strength x n, or a logistic output's weight decay
  private final QualityLink[] links; // M
  private final TokenScale[] scales; // M

  /** A predictor of ridge quality (clamped) and raw ridge tokens: what files without links hold. */
  public LinearPredictor(List<String> models, int d, float[] weights, double[] bias, double[] lambdas) {
    this(models, d, weights, bias, lambdas, fill(QualityLink.IDENTITY, models.size()), fill(TokenScale.RAW, models.size()));
  }

  public LinearPredictor(
      List<String> models, int d, float[] weights, double[] bias, double[] lambdas, List<QualityLink> links, List<TokenScale> scales) {
    int outs = 2 * models.size();
    if (weights.length != d * outs || bias.length != outs || lambdas.length != outs) {
      throw new CarrotException("linear predictor arrays do not match d=" + d + " and " + outs + " outputs");
    }
    if (links.size() != models.size() || scales.size() != models.size()) {
      throw new CarrotException("linear predictor needs one quality link and one token scale per model");
    }
    this.models = List.copyOf(models);
    this.d = d;
    this.weights = weights.clone();
    this.bias = bias.clone();
    this.lambdas = lambdas.clone();
    this.links = links.toArray(new QualityLink[0]);
    this.scales = scales.toArray(new TokenScale[0]);
  }

  private static <T> List<T> fill(T value, int n) {
    return java.util.Collections.nCopies(n, value);
  }

  /**
   * Fits on {@code train}, choosing each output's ridge strength, each model's quality link and
   * token scale on {@code validation}.
   */
  public static LinearPredictor fit(TrainingSet train, TrainingSet validation) {
    return fit(train, validation, true, true);
  }

  /**
   * As {@link #fit(TrainingSet, TrainingSet)}, with or without the logistic quality and log-scale
   * token candidates; with neither it is the ridge-only fit of files without links.
   */
  public static LinearPredictor fit(TrainingSet train, TrainingSet validation, boolean tryLogistic, boolean tryLogTokens) {
    if (validation == null || validation.size() == 0) {
      throw new CarrotException("the linear estimator chooses its ridge strength on the validation split, which is empty");
    }
    int d = train.dimension();
    int m = train.models().size();
    Ridge ridge = new Ridge(d, 3 * m);
    // Sparse data: models observed on the same training rows share one fit (dense data: one group).
    Map<java.util.BitSet, List<Integer>> groups = new LinkedHashMap<>();
    for (int j = 0; j < m; j++) {
      java.util.BitSet rows = new java.util.BitSet(train.size());
      for (int i = 0; i < train.size(); i++) {
        if (train.observed(i, j)) {
          rows.set(i);
        }
      }
      groups.computeIfAbsent(rows, r -> new java.util.ArrayList<>()).add(j);
    }
    int perModel = tryLogTokens ? 3 : 2;
    for (Map.Entry<java.util.BitSet, List<Integer>> g : groups.entrySet()) {
      int[] outputs = new int[perModel * g.getValue().size()];
      for (int c = 0; c < g.getValue().size(); c++) {
        int j = g.getValue().get(c);
        outputs[perModel * c] = j;
        outputs[perModel * c + 1] = m + j;
        if (tryLogTokens) {
          outputs[perModel * c + 2] = 2 * m + j;
        }
      }
      fitGroup(train, validation, g.getKey().stream().toArray(), outputs, ridge);
    }
    int outs = 2 * m;
    float[] wf = new float[d * outs];
    double[] bias = new double[outs];
    double[] chosen = new double[outs];
    QualityLink[] links = new QualityLink[m];
    TokenScale[] scales = new TokenScale[m];
    for (int j = 0; j < m; j++) {
      ridge.copyTo(j, j, wf, bias, chosen, outs);
      links[j] = QualityLink.IDENTITY;
      boolean log = tryLogTokens && ridge.seen[2 * m + j] > 0 && ridge.err[2 * m + j] < ridge.err[m + j];
      ridge.copyTo(log ? 2 * m + j : m + j, m + j, wf, bias, chosen, outs);
      scales[j] = log ? TokenScale.LOG1P : TokenScale.RAW;
    }
    if (tryLogistic) {
      for (Map.Entry<java.util.BitSet, List<Integer>> g : groups.entrySet()) {
        List<Integer> js = g.getValue();
        Logistic lg = Logistic.fit(columns(train, g.getKey().stream().toArray(), js), columns(validation, null, js));
        for (int c = 0; c < js.size(); c++) {
          int j = js.get(c);
          if (ridge.seen[j] > 0 && lg.err[c] < ridge.err[j]) {
            for (int k = 0; k < d; k++) {
              wf[k * outs + j] = lg.weights[c][k];
            }
            bias[j] = lg.bias[c];
            chosen[j] = lg.decay[c];
            links[j] = QualityLink.LOGISTIC;
          }
        }
      }
    }
    return new LinearPredictor(train.models(), d, wf, bias, chosen, List.of(links), List.of(scales));
  }

  /** The given rows (all when null) and model columns of {@code s}. */
  private static TrainingSet columns(TrainingSet s, int[] rows, List<Integer> js) {
    int n = rows == null ? s.size() : rows.length;
    float[][] e = new float[n][];
    double[][] q = new double[n][js.size()];
    double[][] t = new double[n][js.size()];
    List<String> names = new java.util.ArrayList<>();
    for (int j : js) {
      names.add(s.models().get(j));
    }
    for (int r = 0; r < n; r++) {
      int i = rows == null ? r : rows[r];
      e[r] = s.embeddings()[i];
      for (int c = 0; c < js.size(); c++) {
        q[r][c] = s.quality()[i][js.get(c)];
        t[r][c] = s.outputTokens()[i][js.get(c)];
      }
    }
    return new TrainingSet(names, e, q, t);
  }

  /**
   * The ridge fits of every virtual output: {@code j < M} quality of model j, {@code M + j} its raw
   * tokens, {@code 2M + j} its log1p tokens (whose bias includes the log of the mean scale).
   */
  private static final class Ridge {
    final int d;
    final double[][] w; // per virtual output, d weights (double, as solved)
    final double[] bias;
    final double[] lambda;
    final double[] err; // validation sum of squared errors of the chosen strength
    final int[] seen; // validation entries

    Ridge(int d, int outputs) {
      this.d = d;
      w = new double[outputs][d];
      bias = new double[outputs];
      lambda = new double[outputs];
      err = new double[outputs];
      seen = new int[outputs];
    }

    void copyTo(int from, int to, float[] wf, double[] b, double[] chosen, int outs) {
      for (int k = 0; k < d; k++) {
        wf[k * outs + to] = (float) w[from][k];
      }
      b[to] = bias[from];
      chosen[to] = lambda[from];
    }
  }

  /** Ridge fits of the given virtual outputs on the given training rows, strengths chosen on validation. */
  private static void fitGroup(TrainingSet train, TrainingSet validation, int[] rows, int[] outputs, Ridge out) {
    int n = rows.length;
    int d = train.dimension();
    int m = train.models().size();
    int outs = outputs.length;
    double[] xMean = new double[d];
    double[] yMean = new double[outs];
    for (int i : rows) {
      float[] x = train.embeddings()[i];
      for (int a = 0; a < d; a++) {
        xMean[a] += x[a];
      }
      for (int j = 0; j < outs; j++) {
        yMean[j] += target(train, i, outputs[j], m);
      }
    }
    for (int a = 0; a < d; a++) {
      xMean[a] /= n;
    }
    for (int j = 0; j < outs; j++) {
      yMean[j] /= n;
    }
    // Gram matrix of centred features and cross-products with centred targets
    double[] gram = new double[d * d];
    double[] xty = new double[d * outs];
    double[] xc = new double[d];
    for (int i : rows) {
      float[] x = train.embeddings()[i];
      for (int a = 0; a < d; a++) {
        xc[a] = x[a] - xMean[a];
      }
      for (int a = 0; a < d; a++) {
        double xa = xc[a];
        int row = a * d;
        for (int b = a; b < d; b++) {
          gram[row + b] += xa * xc[b];
        }
        int yrow = a * outs;
        for (int j = 0; j < outs; j++) {
          xty[yrow + j] += xa * (target(train, i, outputs[j], m) - yMean[j]);
        }
      }
    }
    for (int a = 0; a < d; a++) {
      for (int b = 0; b < a; b++) {
        gram[a * d + b] = gram[b * d + a];
      }
    }
    double[] bestErr = new double[outs];
    Arrays.fill(bestErr, Double.POSITIVE_INFINITY);
    double[] bestW = new double[d * outs];
    double[] bestShift = new double[outs]; // log of the mean scale of log1p outputs
    int nv = validation.size();
    for (double lam : LAMBDAS) {
      double[] a = gram.clone();
      for (int k = 0; k < d; k++) {
        a[k * d + k] += lam * n;
      }
      double[] w = Cholesky.solve(a, d, xty, outs);
      double[] err = new double[outs];
      int[] seen = new int[outs];
      double[][] score = new double[outs][nv];
      for (int i = 0; i < nv; i++) {
        float[] x = validation.embeddings()[i];
        for (int j = 0; j < outs; j++) {
          double y = yMean[j];
          for (int k = 0; k < d; k++) {
            y += (x[k] - xMean[k]) * w[k * outs + j];
          }
          score[j][i] = y;
        }
      }
      double[] shift = new double[outs];
      for (int j = 0; j < outs; j++) {
        int v = outputs[j];
        boolean log = v >= 2 * m;
        if (log) {
          // exp(score) estimates a median of 1 + tokens; the least-squares scale c makes it a mean
          double num = 0;
          double den = 0;
          for (int i = 0; i < nv; i++) {
            double t = validation.outputTokens()[i][v - 2 * m];
            if (t == t) {
              double e = StrictMath.exp(score[j][i]);
              num += (1 + t) * e;
              den += e * e;
            }
          }
          shift[j] = den > 0 && num > 0 ? StrictMath.log(num / den) : 0;
        }
        for (int i = 0; i < nv; i++) {
          double truth = log ? validation.outputTokens()[i][v - 2 * m] : target(validation, i, v, m);
          if (Double.isNaN(truth)) {
            continue; // no entry for this validation prompt
          }
          double pred = log ? Math.max(0, StrictMath.expm1(score[j][i] + shift[j])) : clampOutput(score[j][i], v, m);
          double e = pred - truth;
          err[j] += e * e;
          seen[j]++;
        }
      }
      for (int j = 0; j < outs; j++) {
        out.seen[outputs[j]] = seen[j];
        if (seen[j] == 0) { // no validation entry to choose by: the moderate default strength wins
          err[j] = Math.abs(Math.log(lam / DEFAULT_LAMBDA));
        }
      }
      for (int j = 0; j < outs; j++) {
        if (err[j] < bestErr[j]) {
          bestErr[j] = err[j];
          bestShift[j] = shift[j];
          out.lambda[outputs[j]] = lam;
          for (int k = 0; k < d; k++) {
            bestW[k * outs + j] = w[k * outs + j];
          }
        }
      }
    }
    for (int j = 0; j < outs; j++) {
      int v = outputs[j];
      double b = yMean[j];
      for (int k = 0; k < d; k++) {
        out.w[v][k] = bestW[k * outs + j];
        b -= xMean[k] * bestW[k * outs + j];
      }
      out.bias[v] = b + bestShift[j];
      out.err[v] = bestErr[j];
    }
  }

  /**
   * Logistic regression of every model's quality on the standardized embedding (a network without
   * hidden layer; each output keeps its own best epoch), one run per weight decay; per model the
   * run with the lowest validation squared error, its weights folded back onto the raw embedding.
   * Fitted per group of models observed on the same rows, standardized on those rows, so a model
   * fits as it would on its rows alone.
   */
  private record Logistic(float[][] weights, double[] bias, double[] decay, double[] err) {
    static Logistic fit(TrainingSet train, TrainingSet validation) {
      int m = train.models().size();
      int d = train.dimension();
      MlpTrainer.Standardizer std = MlpTrainer.Standardizer.of(train);
      NetworkTraining.Data tr = std.data(train, false);
      NetworkTraining.Data va = std.data(validation, false);
      List<NetworkTraining.Run> runs = MlpTrainer.parallel(LOGISTIC_DECAYS.size(), i ->
          NetworkTraining.run(tr, va, 0, LOGISTIC_DECAYS.get(i), LOGISTIC_OPTIONS, SEED, NetworkTraining.Snapshot.PER_OUTPUT));
      float[][] bestW = new float[m][];
      double[] bestB = new double[m];
      double[] bestDecay = new double[m];
      double[] bestErr = new double[m];
      Arrays.fill(bestErr, Double.POSITIVE_INFINITY);
      for (NetworkTraining.Run run : runs) {
        MlpNetwork net = run.qualityNet();
        for (int j = 0; j < m; j++) {
          // w . ((x - mean) * scale) + b = (w * scale) . x + (b - sum mean * w * scale)
          float[] w = new float[d];
          double b = net.b2[j];
          for (int k = 0; k < d; k++) {
            double wk = (double) net.w2[k][j] * std.scale()[k];
            w[k] = (float) wk;
            b -= std.mean()[k] * wk;
          }
          double err = 0;
          for (int i = 0; i < validation.size(); i++) {
            double truth = validation.quality()[i][j];
            if (truth == truth) {
              double y = b;
              float[] x = validation.embeddings()[i];
              for (int k = 0; k < d; k++) {
                y += (double) x[k] * w[k]; // as predict() computes it
              }
              double e = NetworkTraining.sigmoid(y) - truth;
              err += e * e;
            }
          }
          if (err < bestErr[j]) {
            bestErr[j] = err;
            bestW[j] = w;
            bestB[j] = b;
            bestDecay[j] = run.weightDecay();
          }
        }
      }
      return new Logistic(bestW, bestB, bestDecay, bestErr);
    }
  }

  /** Virtual output {@code v}'s target: quality, raw tokens or log1p tokens of model {@code v mod M}. */
  private static double target(TrainingSet s, int i, int v, int m) {
    if (v < m) {
      return s.quality()[i][v];
    }
    if (v < 2 * m) {
      return s.outputTokens()[i][v - m];
    }
    return StrictMath.log1p(Math.max(0, s.outputTokens()[i][v - 2 * m]));
  }

  private static double clampOutput(double y, int j, int m) {
    return j < m ? Math.min(1, Math.max(0, y)) : Math.max(0, y);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public List<String> models() {
    return models;
  }

  @Override
  public int dimension() {
    return d;
  }

  float[] weights() {
    return weights.clone();
  }

  double[] bias() {
    return bias.clone();
  }

  double[] lambdas() {
    return lambdas.clone();
  }

  @Override
  public Prediction predict(float[] x) {
    Dimensions.check(x, d);
    int m = models.size();
    int outs = 2 * m;
    double[] y = bias.clone();
    for (int k = 0; k < d; k++) {
      double xk = x[k];
      int row = k * outs;
      for (int j = 0; j < outs; j++) {
        y[j] += xk * weights[row + j];
      }
    }
    double[] q = new double[m];
    double[] t = new double[m];
    for (int j = 0; j < m; j++) {
      q[j] = links[j] == QualityLink.LOGISTIC ? NetworkTraining.sigmoid(y[j]) : clampOutput(y[j], j, m);
      t[j] = scales[j] == TokenScale.LOG1P ? Math.max(0, StrictMath.expm1(y[m + j])) : clampOutput(y[m + j], m + j, m);
    }
    return new Prediction(q, t);
  }

  @Override
  public Map<String, Object> hyperParameters() {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("model", "per output on the embedding: quality by ridge regression clamped to [0, 1] or logistic regression,"
        + " tokens by ridge regression on the counts or on log1p(tokens); each chosen on validation squared error");
    h.put("lambda_grid_times_n", LAMBDAS);
    h.put("logistic_weight_decay_grid", LOGISTIC_DECAYS);
    Map<String, Double> q = new LinkedHashMap<>();
    Map<String, Double> t = new LinkedHashMap<>();
    Map<String, String> ql = new LinkedHashMap<>();
    Map<String, String> ts = new LinkedHashMap<>();
    for (int j = 0; j < models.size(); j++) {
      q.put(models.get(j), lambdas[j]);
      t.put(models.get(j), lambdas[models.size() + j]);
      ql.put(models.get(j), links[j].name().toLowerCase(java.util.Locale.ROOT));
      ts.put(models.get(j), scales[j].name().toLowerCase(java.util.Locale.ROOT));
    }
    h.put("quality_link", ql);
    h.put("token_scale", ts);
    h.put("lambda_quality", q); // ridge strength x n; for a logistic model its weight decay
    h.put("lambda_tokens", t);
    return h;
  }

  /** Accessors for the codec. Not an API. */
  public static final class Access {
    private Access() {}

    public static float[] weights(LinearPredictor p) {
      return p.weights();
    }

    public static double[] bias(LinearPredictor p) {
      return p.bias();
    }

    public static double[] lambdas(LinearPredictor p) {
      return p.lambdas();
    }

    public static List<QualityLink> links(LinearPredictor p) {
      return List.of(p.links);
    }

    public static List<TokenScale> scales(LinearPredictor p) {
      return List.of(p.scales);
    }
  }
}
