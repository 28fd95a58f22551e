package io.carrot.core.predict.network;

import io.carrot.core.CarrotException;
import io.carrot.core.predict.Dimensions;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.Predictor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A multi-task MLP on the frozen prompt embedding: the standardized embedding goes through one
 * shared hidden ReLU layer to M quality logits (sigmoid) and M output-token heads (log1p tokens,
 * standardized per model). The shared layer lets every model's quality borrow the features the
 * others need (an easy prompt is easy for all), which curbs the per-model noise that makes an
 * argmax over many models pick whichever got lucky. Fitted by {@link MlpTrainer}: quality comes
 * from one or several networks (their probabilities averaged), each a grid point's epoch with the
 * best validation cross-entropy; tokens likewise from the epochs with the best token error.
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
  private final List<MlpNetwork> qualityNets;
  private final List<MlpNetwork> tokenNets;
  private final double[] tokenMean;
  private final double[] tokenStd;
  private final double[] tokenFactor;
  private final Fit fit;

  /**
   * How the networks were chosen, for provenance.
   *
   * @param qualityTrials indices in {@code trials} whose quality snapshots are averaged (one: a
   *     single grid point)
   * @param qualityLoss their validation cross-entropy
   * @param tokenTrials indices in {@code trials} whose token snapshots are averaged
   * @param tokenLoss their validation squared error (standardized log1p tokens)
   */
  public record Fit(
      long seed,
      double learningRate,
      int batchSize,
      int maxEpochs,
      int patience,
      double tokenLossWeight,
      List<Trial> trials,
      List<Integer> qualityTrials,
      double qualityLoss,
      List<Integer> tokenTrials,
      double tokenLoss) {
    public Fit {
      trials = List.copyOf(trials);
      qualityTrials = List.copyOf(qualityTrials);
      tokenTrials = List.copyOf(tokenTrials);
      int n = trials.size();
      if (qualityTrials.isEmpty() || tokenTrials.isEmpty()
          || java.util.stream.Stream.concat(qualityTrials.stream(), tokenTrials.stream()).anyMatch(i -> i < 0 || i >= n)) {
        throw new CarrotException("chosen trials must be non-empty and index the " + n + " trials");
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
      List<MlpNetwork> qualityNets,
      List<MlpNetwork> tokenNets,
      double[] tokenMean,
      double[] tokenStd,
      double[] tokenFactor,
      Fit fit) {
    int m = models.size();
    int d = inputMean.length;
    if (qualityNets.isEmpty() || tokenNets.isEmpty()) {
      throw new CarrotException("mlp needs at least one quality and one token network");
    }
    List<MlpNetwork> all = new java.util.ArrayList<>(qualityNets);
    all.addAll(tokenNets);
    if (inputScale.length != d || all.stream().anyMatch(n -> n.inputs() != d)) {
      throw new CarrotException("mlp input arrays and networks must share dimension " + d);
    }
    if (all.stream().anyMatch(n -> n.outputs() != m) || tokenMean.length != m || tokenStd.length != m
        || tokenFactor.length != m) {
      throw new CarrotException("mlp quality and token parts must have one output per model (" + m + ")");
    }
    this.models = List.copyOf(models);
    this.d = d;
    this.inputMean = inputMean.clone();
    this.inputScale = inputScale.clone();
    this.qualityNets = List.copyOf(qualityNets);
    this.tokenNets = List.copyOf(tokenNets);
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

  /** Quality of every model: the networks' sigmoid outputs, averaged, for a standardized input. */
  static double[] quality(List<MlpNetwork> nets, float[] xs) {
    int m = nets.get(0).outputs();
    double[] q = new double[m];
    float[] z = new float[m];
    for (MlpNetwork net : nets) {
      net.forward(xs, new float[net.hidden()], z);
      for (int j = 0; j < m; j++) {
        q[j] += NetworkTraining.sigmoid(z[j]);
      }
    }
    for (int j = 0; j < m; j++) {
      q[j] /= nets.size();
    }
    return q;
  }

  /** Standardized log1p-token scores of every model: the networks' outputs, averaged. */
  static double[] tokenScores(List<MlpNetwork> nets, float[] xs) {
    int m = nets.get(0).outputs();
    double[] u = new double[m];
    float[] z = new float[m];
    for (MlpNetwork net : nets) {
      net.forward(xs, new float[net.hidden()], z);
      for (int j = 0; j < m; j++) {
        u[j] += z[j];
      }
    }
    for (int j = 0; j < m; j++) {
      u[j] /= nets.size();
    }
    return u;
  }

  /** Back-transform of a token score {@code z} (standardized log1p scale) of one model. */
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
    Dimensions.check(x, d);
    float[] xs = standardize(x, inputMean, inputScale);
    double[] q = quality(qualityNets, xs);
    double[] u = tokenScores(tokenNets, xs);
    double[] t = new double[u.length];
    for (int j = 0; j < u.length; j++) {
      t[j] = tokens(u[j], tokenMean[j], tokenStd[j], tokenFactor[j]);
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
    h.put("hidden", field(fit.qualityTrials(), Trial::hidden));
    h.put("weight_decay", field(fit.qualityTrials(), Trial::weightDecay));
    h.put("best_epoch", field(fit.qualityTrials(), Trial::qualityEpoch));
    h.put("quality_trials", fit.qualityTrials());
    h.put("validation_quality_cross_entropy", fit.qualityLoss());
    h.put("token_hidden", field(fit.tokenTrials(), Trial::hidden));
    h.put("token_weight_decay", field(fit.tokenTrials(), Trial::weightDecay));
    h.put("token_best_epoch", field(fit.tokenTrials(), Trial::tokenEpoch));
    h.put("token_trials", fit.tokenTrials());
    h.put("validation_token_mse_standardized_log1p", fit.tokenLoss());
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

  /** The chosen trials' values of one field: a single value, or a list when networks are averaged. */
  private Object field(List<Integer> chosen, java.util.function.Function<Trial, Object> f) {
    List<Object> v = chosen.stream().map(i -> f.apply(fit.trials().get(i))).toList();
    return v.size() == 1 ? v.get(0) : v;
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

    public static List<MlpNetwork> qualityNets(MlpPredictor p) {
      return p.qualityNets;
    }

    public static List<MlpNetwork> tokenNets(MlpPredictor p) {
      return p.tokenNets;
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
