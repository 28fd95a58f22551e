package io.carrot.core.predict;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A multi-task MLP on the frozen prompt embedding: the standardized embedding goes through one
 * shared hidden ReLU layer to M quality logits (sigmoid) and M output-token heads (log1p tokens,
 * standardized per model). The shared layer lets every model's quality borrow the features the
 * others need (an easy prompt is easy for all), which curbs the per-model noise that makes an
 * argmax over many models pick whichever got lucky. Fitted by {@link MlpTrainer}; quality comes
 * from the epoch with the best validation cross-entropy, tokens from the epoch with the best token
 * error (both snapshots of one training run).
 *
 * <p>Tokens: the head predicts log1p tokens, whose back-transform is a median; cost needs a mean,
 * so each model's back-transformed prediction is multiplied by a factor chosen by least squares
 * on validation.
 */
public final class MlpPredictor implements Predictor {
  public static final String KIND = "mlp";

  private final List<String> models;
  private final int d;
  private final float[] inputMean;
  private final float[] inputScale;
  private final MlpNetwork qualityNet;
  private final MlpNetwork tokenNet;
  private final double[] tokenMean;
  private final double[] tokenStd;
  private final double[] tokenFactor;
  private final Fit fit;

  /**
   * How the network was chosen, for provenance.
   *
   * @param qualityTrial index in {@code trials} whose quality snapshot is used
   * @param tokenTrial index in {@code trials} whose token snapshot is used
   */
  public record Fit(
      long seed,
      double learningRate,
      int batchSize,
      int maxEpochs,
      int patience,
      double tokenLossWeight,
      List<Trial> trials,
      int qualityTrial,
      int tokenTrial) {
    public Fit {
      trials = List.copyOf(trials);
      if (qualityTrial < 0 || qualityTrial >= trials.size() || tokenTrial < 0 || tokenTrial >= trials.size()) {
        throw new IllegalArgumentException("chosen trials must index the " + trials.size() + " trials");
      }
    }
  }

  /**
   * One grid point's training run.
   *
   * @param epochs epochs run before early stopping
   * @param qualityEpoch epoch with the lowest validation cross-entropy (0: the initial weights)
   * @param qualityLoss that mean cross-entropy over validation entries
   * @param tokenEpoch epoch with the lowest validation token error
   * @param tokenLoss that mean squared error of standardized log1p tokens
   */
  public record Trial(int hidden, double weightDecay, int epochs, int qualityEpoch, double qualityLoss, int tokenEpoch, double tokenLoss) {}

  public MlpPredictor(
      List<String> models,
      float[] inputMean,
      float[] inputScale,
      MlpNetwork qualityNet,
      MlpNetwork tokenNet,
      double[] tokenMean,
      double[] tokenStd,
      double[] tokenFactor,
      Fit fit) {
    int m = models.size();
    int d = inputMean.length;
    if (inputScale.length != d || qualityNet.inputs() != d || tokenNet.inputs() != d) {
      throw new IllegalArgumentException("mlp input arrays and networks must share dimension " + d);
    }
    if (qualityNet.outputs() != m || tokenNet.outputs() != m || tokenMean.length != m || tokenStd.length != m
        || tokenFactor.length != m) {
      throw new IllegalArgumentException("mlp quality and token parts must have one output per model (" + m + ")");
    }
    this.models = List.copyOf(models);
    this.d = d;
    this.inputMean = inputMean.clone();
    this.inputScale = inputScale.clone();
    this.qualityNet = qualityNet;
    this.tokenNet = tokenNet;
    this.tokenMean = tokenMean.clone();
    this.tokenStd = tokenStd.clone();
    this.tokenFactor = tokenFactor.clone();
    this.fit = fit;
  }

  /** The standardized input the networks see: {@code (x - mean) * scale}, in float32. */
  static float[] standardize(float[] x, float[] mean, float[] scale) {
    float[] out = new float[x.length];
    for (int a = 0; a < x.length; a++) {
      out[a] = (x[a] - mean[a]) * scale[a];
    }
    return out;
  }

  /** Back-transform of a token head's output {@code z} for model {@code j}. */
  static double tokens(double z, double mean, double std, double factor) {
    return Math.max(0, factor * StrictMath.exp(mean + std * z) - 1);
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

  @Override
  public Prediction predict(float[] x) {
    if (x.length != d) {
      throw new IllegalArgumentException("embedding has dimension " + x.length + ", the router was trained on " + d);
    }
    float[] xs = standardize(x, inputMean, inputScale);
    int m = models.size();
    float[] z = new float[m];
    qualityNet.forward(xs, new float[qualityNet.hidden()], z);
    double[] q = new double[m];
    for (int j = 0; j < m; j++) {
      q[j] = NetworkTraining.sigmoid(z[j]);
    }
    tokenNet.forward(xs, new float[tokenNet.hidden()], z);
    double[] t = new double[m];
    for (int j = 0; j < m; j++) {
      t[j] = tokens(z[j], tokenMean[j], tokenStd[j], tokenFactor[j]);
    }
    return new Prediction(q, t);
  }

  public Fit fit() {
    return fit;
  }

  @Override
  public Map<String, Object> hyperParameters() {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("model", "multi-task MLP: standardized embedding -> H ReLU units -> M quality logits (sigmoid, cross-entropy)"
        + " and M log1p-token heads (standardized, squared error); AdamW minibatches, early stopping on validation");
    Trial q = fit.trials().get(fit.qualityTrial());
    Trial t = fit.trials().get(fit.tokenTrial());
    h.put("hidden", q.hidden());
    h.put("weight_decay", q.weightDecay());
    h.put("best_epoch", q.qualityEpoch());
    h.put("validation_quality_cross_entropy", q.qualityLoss());
    h.put("token_hidden", t.hidden());
    h.put("token_weight_decay", t.weightDecay());
    h.put("token_best_epoch", t.tokenEpoch());
    h.put("validation_token_mse_standardized_log1p", t.tokenLoss());
    List<Integer> hs = new ArrayList<>();
    List<Double> wds = new ArrayList<>();
    List<Object> trials = new ArrayList<>();
    for (Trial x : fit.trials()) {
      if (!hs.contains(x.hidden())) {
        hs.add(x.hidden());
      }
      if (!wds.contains(x.weightDecay())) {
        wds.add(x.weightDecay());
      }
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("hidden", x.hidden());
      r.put("weight_decay", x.weightDecay());
      r.put("epochs", x.epochs());
      r.put("quality_epoch", x.qualityEpoch());
      r.put("validation_quality_cross_entropy", x.qualityLoss());
      r.put("token_epoch", x.tokenEpoch());
      r.put("validation_token_mse", x.tokenLoss());
      trials.add(r);
    }
    h.put("hidden_grid", hs);
    h.put("weight_decay_grid", wds);
    h.put("trials", trials);
    h.put("seed", fit.seed());
    h.put("learning_rate", fit.learningRate());
    h.put("batch_size", fit.batchSize());
    h.put("max_epochs", fit.maxEpochs());
    h.put("patience", fit.patience());
    h.put("token_loss_weight", fit.tokenLossWeight());
    Map<String, Double> f = new LinkedHashMap<>();
    for (int j = 0; j < models.size(); j++) {
      f.put(models.get(j), tokenFactor[j]);
    }
    h.put("token_mean_factor", f);
    return h;
  }

  /** Accessors for the codec. Not an API. */
  public static final class Access {
    private Access() {}

    public static float[] inputMean(MlpPredictor p) {
      return p.inputMean.clone();
    }

    public static float[] inputScale(MlpPredictor p) {
      return p.inputScale.clone();
    }

    public static MlpNetwork qualityNet(MlpPredictor p) {
      return p.qualityNet;
    }

    public static MlpNetwork tokenNet(MlpPredictor p) {
      return p.tokenNet;
    }

    public static double[] tokenMean(MlpPredictor p) {
      return p.tokenMean.clone();
    }

    public static double[] tokenStd(MlpPredictor p) {
      return p.tokenStd.clone();
    }

    public static double[] tokenFactor(MlpPredictor p) {
      return p.tokenFactor.clone();
    }
  }
}
