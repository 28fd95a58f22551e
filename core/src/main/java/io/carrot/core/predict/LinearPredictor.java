package io.carrot.core.predict;

import io.carrot.core.CarrotException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CARROT-linear on frozen embeddings: one ridge regression per output (each model's quality and
 * each model's output tokens) on the prompt embedding, the ridge strength of each output chosen on
 * validation. Quality is clamped to [0, 1] (a linear probability model; calibration can follow),
 * tokens to at least 0. Fitting is closed-form (one Cholesky factorization per strength), so it is
 * deterministic and takes seconds for tens of thousands of prompts.
 */
public final class LinearPredictor implements Predictor {
  public static final String KIND = "linear";
  /** Ridge strengths tried, as multiples of the number of training prompts. */
  /** Ridge strength (times n) used for an output that has no validation entry to choose by. */
  static final double DEFAULT_LAMBDA = 0.1;

  public static final double[] LAMBDAS = {1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1, 3};

  private final List<String> models;
  private final int d;
  private final float[] weights; // d x 2M row-major: column j < M quality of model j, else tokens
  private final double[] bias; // 2M
  private final double[] lambdas; // chosen per output

  public LinearPredictor(List<String> models, int d, float[] weights, double[] bias, double[] lambdas) {
    int outs = 2 * models.size();
    if (weights.length != d * outs || bias.length != outs || lambdas.length != outs) {
      throw new IllegalArgumentException("linear predictor arrays do not match d=" + d + " and " + outs + " outputs");
    }
    this.models = List.copyOf(models);
    this.d = d;
    this.weights = weights.clone();
    this.bias = bias.clone();
    this.lambdas = lambdas.clone();
  }

  /** Fits on {@code train}, choosing each output's ridge strength on {@code validation}. */
  public static LinearPredictor fit(TrainingSet train, TrainingSet validation) {
    if (validation == null || validation.size() == 0) {
      throw new CarrotException("the linear estimator chooses its ridge strength on the validation split, which is empty");
    }
    int d = train.dimension();
    int m = train.models().size();
    int outs = 2 * m;
    float[] wf = new float[d * outs];
    double[] bias = new double[outs];
    double[] chosen = new double[outs];
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
    for (Map.Entry<java.util.BitSet, List<Integer>> g : groups.entrySet()) {
      int[] outputs = new int[2 * g.getValue().size()];
      for (int c = 0; c < g.getValue().size(); c++) {
        outputs[2 * c] = g.getValue().get(c);
        outputs[2 * c + 1] = m + g.getValue().get(c);
      }
      fitGroup(train, validation, g.getKey().stream().toArray(), outputs, wf, bias, chosen);
    }
    return new LinearPredictor(train.models(), d, wf, bias, chosen);
  }

  /** Ridge fits of the given outputs on the given training rows; writes their weights, bias and lambda. */
  private static void fitGroup(
      TrainingSet train, TrainingSet validation, int[] rows, int[] outputs, float[] wf, double[] bias, double[] chosen) {
    int n = rows.length;
    int d = train.dimension();
    int m = train.models().size();
    int allOuts = 2 * m;
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
    java.util.Arrays.fill(bestErr, Double.POSITIVE_INFINITY);
    double[] bestW = new double[d * outs];
    for (double lam : LAMBDAS) {
      double[] a = gram.clone();
      for (int k = 0; k < d; k++) {
        a[k * d + k] += lam * n;
      }
      double[] w = Cholesky.solve(a, d, xty, outs);
      double[] err = new double[outs];
      int[] seen = new int[outs];
      for (int i = 0; i < validation.size(); i++) {
        float[] x = validation.embeddings()[i];
        for (int j = 0; j < outs; j++) {
          double truth = target(validation, i, outputs[j], m);
          if (Double.isNaN(truth)) {
            continue; // no entry for this validation prompt
          }
          double y = yMean[j];
          for (int k = 0; k < d; k++) {
            y += (x[k] - xMean[k]) * w[k * outs + j];
          }
          double e = clampOutput(y, outputs[j], m) - truth;
          err[j] += e * e;
          seen[j]++;
        }
      }
      for (int j = 0; j < outs; j++) {
        if (seen[j] == 0) { // no validation entry to choose by: the moderate default strength wins
          err[j] = Math.abs(Math.log(lam / DEFAULT_LAMBDA));
        }
      }
      for (int j = 0; j < outs; j++) {
        if (err[j] < bestErr[j]) {
          bestErr[j] = err[j];
          chosen[outputs[j]] = lam;
          for (int k = 0; k < d; k++) {
            bestW[k * outs + j] = w[k * outs + j];
          }
        }
      }
    }
    for (int j = 0; j < outs; j++) {
      double b = yMean[j];
      for (int k = 0; k < d; k++) {
        wf[k * allOuts + outputs[j]] = (float) bestW[k * outs + j];
        b -= xMean[k] * bestW[k * outs + j];
      }
      bias[outputs[j]] = b;
    }
  }

  private static double target(TrainingSet s, int i, int j, int m) {
    return j < m ? s.quality()[i][j] : s.outputTokens()[i][j - m];
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
    if (x.length != d) {
      throw new IllegalArgumentException("embedding has dimension " + x.length + ", the router was trained on " + d);
    }
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
      q[j] = clampOutput(y[j], j, m);
      t[j] = clampOutput(y[m + j], m + j, m);
    }
    return new Prediction(q, t);
  }

  @Override
  public Map<String, Object> hyperParameters() {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("model", "ridge regression per output on the embedding (quality clamped to [0, 1])");
    h.put("lambda_grid_times_n", LAMBDAS);
    Map<String, Double> q = new LinkedHashMap<>();
    Map<String, Double> t = new LinkedHashMap<>();
    for (int j = 0; j < models.size(); j++) {
      q.put(models.get(j), lambdas[j]);
      t.put(models.get(j), lambdas[models.size() + j]);
    }
    h.put("lambda_quality", q);
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
  }
}
