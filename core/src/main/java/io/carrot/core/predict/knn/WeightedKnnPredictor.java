package io.carrot.core.predict.knn;

import io.carrot.core.CarrotException;
import io.carrot.core.predict.Dimensions;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.Predictor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * KNN with similarity weights and an empirical-Bayes prior. The {@code k} nearest training prompts
 * (cosine similarity {@code s_i}, best first) get weights {@code w_i = exp((s_i - s_1) / tau)}
 * ({@code tau = +inf}: uniform, CARROT-KNN's vote); model {@code m}'s quality is
 *
 * <pre>  q_m(x) = (sum_i w_i y_im + a_m * p_m(x)) / (sum_i w_i + a_m)</pre>
 *
 * and its output tokens likewise with their own strength {@code b_m} toward the model's mean tokens.
 * {@code a_m} counts pseudo-neighbours: {@code a = 0} is the weighted local average, {@code a ->
 * inf} the prior alone. With similarity weights the evidence {@code sum_i w_i} varies per prompt
 * (from 1 when the nearest neighbour stands out to {@code k} when all are alike), so a prompt whose
 * neighbourhood says little is pulled further toward the prior. That curbs the winner's curse of an
 * argmax over many noisy local averages. The prior {@code p_m(x)} is one of:
 *
 * <ul>
 *   <li>{@link Prior#GLOBAL}: the model's mean over all its training entries;
 *   <li>{@link Prior#DIFFICULTY}: that mean moved by how hard the neighbourhood is for every model
 *       (a Rasch model): {@code p_m(x) = sigmoid(theta_m - beta(x))} with {@code theta_m =
 *       logit(mean_m)} and one local difficulty {@code beta(x)} fitted to the same weighted
 *       neighbours (plus one pseudo-neighbour at the global means), so that {@code sum_i w_i sum_m
 *       y_im = sum_i w_i sum_m sigmoid(theta_m - beta)} over their entries. The prior then carries
 *       the level of the prompt, one number estimated from all models' neighbours together, and
 *       only each model's departure from it is shrunk; it never ties two models exactly.
 * </ul>
 *
 * <p>Sparse training data ({@code NaN} where a model has no entry): each model uses the first
 * {@code k} of the searched neighbours that have its entry, weighted against the top similarity of
 * the search; a model with none gets its prior (with the global prior and {@code a = 0}: its global
 * mean, as in {@link KnnPredictor}). The difficulty uses the first {@code k} searched neighbours and
 * whichever models each has.
 *
 * <p>Immutable.
 */
public final class WeightedKnnPredictor implements Predictor {
  /** The estimator kind recorded in router files. */
  public static final String KIND = "weighted-knn";
  /** Means are kept this far from 0 and 1 before their logit. */
  static final double EDGE = 1e-3;

  /** Where the prior of a model's quality sits. */
  public enum Prior {
    /** Each model's mean over its training entries. */
    GLOBAL("global", "each model's training mean"),
    /** Each model's training mean moved by the neighbourhood's difficulty for all models (Rasch). */
    DIFFICULTY("difficulty", "sigmoid(logit(training mean) - difficulty of the neighbourhood), difficulty fitted to the weighted neighbours and one pseudo-neighbour at the means");

    private final String id;
    private final String description;

    Prior(String id, String description) {
      this.id = id;
      this.description = description;
    }

    /** The name in router files. */
    public String id() {
      return id;
    }

    /** The prior named {@code id} in a router file. */
    public static Prior of(String id) {
      for (Prior p : values()) {
        if (p.id.equals(id)) {
          return p;
        }
      }
      throw new io.carrot.core.CarrotException("router file: unknown weighted-knn prior '" + id + "'; expected global or difficulty");
    }
  }

  private final KnnPredictor store;
  private final double tau;
  private final Prior prior;
  private final double[] theta;
  private final double[] qualityStrength;
  private final double[] tokenStrength;
  private final Map<String, Object> diagnostics;

  /**
   * @param store the training prompts, their targets and {@code k} (its own uniform vote is not used)
   * @param tau kernel width in units of cosine similarity, {@code > 0}; {@code +inf} for uniform weights
   * @param prior where the quality prior sits
   * @param qualityStrength per model, the prior's weight in pseudo-neighbours, {@code >= 0}
   * @param tokenStrength per model, the same for output tokens
   * @param diagnostics how the hyper-parameters were chosen, for the provenance; copied
   */
  public WeightedKnnPredictor(
      KnnPredictor store,
      double tau,
      Prior prior,
      double[] qualityStrength,
      double[] tokenStrength,
      Map<String, Object> diagnostics) {
    int m = store.models().size();
    if (!(tau > 0)) {
      throw new CarrotException("tau must be > 0 (+inf for uniform weights), got " + tau);
    }
    if (qualityStrength.length != m || tokenStrength.length != m) {
      throw new CarrotException("one prior strength per model expected (" + m + ")");
    }
    for (int j = 0; j < m; j++) {
      if (!(qualityStrength[j] >= 0 && tokenStrength[j] >= 0 && Double.isFinite(qualityStrength[j] + tokenStrength[j]))) {
        throw new CarrotException("prior strengths must be finite and >= 0, got "
            + qualityStrength[j] + " and " + tokenStrength[j] + " for model " + store.models().get(j));
      }
    }
    this.store = store;
    this.tau = tau;
    this.prior = prior;
    this.theta = abilities(store.globalQuality());
    this.qualityStrength = qualityStrength.clone();
    this.tokenStrength = tokenStrength.clone();
    this.diagnostics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(diagnostics));
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public List<String> models() {
    return store.models();
  }

  @Override
  public int dimension() {
    return store.dimension();
  }

  /** The training prompts, their targets and {@code k}. */
  public KnnPredictor store() {
    return store;
  }

  /** Kernel width; {@code +inf} for uniform weights. */
  public double tau() {
    return tau;
  }

  public double[] qualityStrength() {
    return qualityStrength.clone();
  }

  public double[] tokenStrength() {
    return tokenStrength.clone();
  }

  public Prior prior() {
    return prior;
  }

  /** How the hyper-parameters were chosen. */
  public Map<String, Object> diagnostics() {
    return diagnostics;
  }

  @Override
  public Prediction predict(float[] embedding) {
    Dimensions.check(embedding, dimension());
    return estimate(embedding, store.index().topK(embedding, store.searchWidth(), null));
  }

  /** As {@link #predict} for each prompt, with the store searched for a batch of prompts at once. */
  @Override
  public Prediction[] predictAll(float[][] embeddings) {
    return KnnPredictor.predictBatched(store.index(), embeddings, store.searchWidth(), (i, rows) -> estimate(embeddings[i], rows));
  }

  private Prediction estimate(float[] embedding, int[] rows) {
    return estimate(rows, Double.isInfinite(tau) ? null : store.index().similarities(embedding, rows));
  }

  /**
   * The estimate from the searched neighbours {@code rows} (best first) and their similarities
   * ({@code null} for uniform weights).
   */
  Prediction estimate(int[] rows, float[] sims) {
    int m = models().size();
    int k = store.k();
    float[] quality = store.qualityTargets();
    float[] tokens = store.tokenTargets();
    double[] sq = new double[m];
    double[] st = new double[m];
    double[] sw = new double[m];
    int[] cnt = new int[m];
    double top = sims == null || sims.length == 0 ? 0 : sims[0];
    for (int c = 0; c < rows.length; c++) {
      int base = rows[c] * m;
      double w = sims == null ? 1 : Math.exp((sims[c] - top) / tau);
      for (int j = 0; j < m; j++) {
        float v = quality[base + j];
        if (cnt[j] < k && !Float.isNaN(v)) {
          sq[j] += w * v;
          st[j] += w * tokens[base + j];
          sw[j] += w;
          cnt[j]++;
        }
      }
    }
    double[] p = prior == Prior.GLOBAL ? store.globalQuality() : difficultyPrior(rows, sims, Math.min(k, rows.length));
    double[] gt = store.globalTokens();
    double[] q = new double[m];
    double[] t = new double[m];
    for (int j = 0; j < m; j++) {
      q[j] = Math.min(1, Math.max(0, shrink(sq[j], sw[j], qualityStrength[j], p[j])));
      t[j] = Math.max(0, shrink(st[j], sw[j], tokenStrength[j], gt[j]));
    }
    return new Prediction(q, t);
  }

  /** The difficulty prior of every model from the first {@code count} searched neighbours. */
  double[] difficultyPrior(int[] rows, float[] sims, int count) {
    int m = models().size();
    float[] quality = store.qualityTargets();
    double[] weight = new double[m];
    double score = 0;
    for (int c = 0; c < count; c++) {
      double w = sims == null ? 1 : Math.exp((sims[c] - sims[0]) / tau);
      int base = rows[c] * m;
      for (int j = 0; j < m; j++) {
        float v = quality[base + j];
        if (!Float.isNaN(v)) {
          weight[j] += w;
          score += w * v;
        }
      }
    }
    return difficultyPrior(theta, weight, score);
  }

  /**
   * {@code sigmoid(theta_m - beta)} with {@code beta} solving {@code sum_m n_m sigmoid(theta_m -
   * beta) = y}, after adding one pseudo-neighbour at the global means ({@code n_m + 1}, {@code y +
   * sum_m sigmoid(theta_m)}), which keeps {@code beta} finite when every neighbour is right (or
   * wrong).
   *
   * @param weight per model, the total weight of the neighbours with its entry
   * @param score the weighted sum of those entries
   */
  static double[] difficultyPrior(double[] theta, double[] weight, double score) {
    int m = theta.length;
    double[] n = new double[m];
    double y = score;
    for (int j = 0; j < m; j++) {
      n[j] = weight[j] + 1;
      y += sigmoid(theta[j]);
    }
    double lo = -40; // the expected score falls as beta rises: bisect
    double hi = 40;
    for (int it = 0; it < 64; it++) {
      double mid = 0.5 * (lo + hi);
      double e = 0;
      for (int j = 0; j < m; j++) {
        e += n[j] * sigmoid(theta[j] - mid);
      }
      if (e > y) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double beta = 0.5 * (lo + hi);
    double[] p = new double[m];
    for (int j = 0; j < m; j++) {
      p[j] = sigmoid(theta[j] - beta);
    }
    return p;
  }

  /** {@code logit} of each model's mean, kept {@link #EDGE} away from 0 and 1. */
  static double[] abilities(double[] means) {
    double[] th = new double[means.length];
    for (int j = 0; j < th.length; j++) {
      double p = Math.min(1 - EDGE, Math.max(EDGE, means[j]));
      th[j] = Math.log(p / (1 - p));
    }
    return th;
  }

  static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  /** {@code (sum + a * prior) / (weight + a)}; the prior alone when there is no evidence at all. */
  static double shrink(double sum, double weight, double a, double prior) {
    double den = weight + a;
    return den > 0 ? (sum + a * prior) / den : prior;
  }

  @Override
  public Map<String, Object> hyperParameters() {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("k", store.k());
    h.put("metric", "cosine");
    h.put("weights", Double.isInfinite(tau) ? "uniform" : "exp((s - s_1) / tau)");
    if (!Double.isInfinite(tau)) {
      h.put("tau", tau);
    }
    h.put("prior", prior.description);
    h.put("quality_prior_strength", summary(qualityStrength));
    h.put("token_prior_strength", summary(tokenStrength));
    h.put("search", store.index().kind());
    h.putAll(store.index().parameters());
    h.put("train_size", store.index().size());
    h.putAll(diagnostics);
    return h;
  }

  /** One number when every model shares it, else the per-model values. */
  private static Object summary(double[] a) {
    for (double v : a) {
      if (v != a[0]) {
        return java.util.Arrays.stream(a).boxed().toList();
      }
    }
    return a.length == 0 ? 0.0 : a[0];
  }
}
