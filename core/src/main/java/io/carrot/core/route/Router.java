package io.carrot.core.route;

import io.carrot.core.CarrotException;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.Predictor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The CARROT plug-in rule over a fitted predictor:
 *
 * <pre>route(x, mu) = argmax_m (1 - mu) * Qhat_m(x) - mu * s * Chat_m(x)</pre>
 *
 * where {@code Chat_m(x) = in_tokens(x) * in_price_m + Ohat_m(x) * out_price_m} (USD) and {@code s}
 * is the stored cost scale: {@code 1 / (mean cost of the most expensive model on the training
 * data)}, so that {@code s * cost} is about 1 for the priciest model and {@code mu} means the same
 * across model sets. Ties go to the lower predicted cost, then the model name. Immutable and
 * thread-safe; prices can be swapped with {@link #withPrices(PriceTable)} without retraining.
 */
public final class Router {
  private static final Comparator<Candidate> ORDER =
      Comparator.comparingDouble((Candidate c) -> -c.score())
          .thenComparingDouble(Candidate::costUsd)
          .thenComparing(Candidate::model);

  private final Predictor predictor;
  private final PriceTable prices;
  private final ModelPrice[] priceArray;
  private final double costScale;
  private final Provenance provenance;
  private final BudgetCurve budgetCurve;

  /** A router over {@code predictor}; every model needs a price and the cost scale must be positive. */
  public Router(Predictor predictor, PriceTable prices, double costScale, Provenance provenance) {
    this(predictor, prices, costScale, provenance, null);
  }

  /** @param budgetCurve validation spend by mu, or null when the router has none */
  public Router(Predictor predictor, PriceTable prices, double costScale, Provenance provenance, BudgetCurve budgetCurve) {
    if (!(costScale > 0) || Double.isInfinite(costScale)) {
      throw new CarrotException("cost scale must be a finite number > 0, got " + costScale);
    }
    prices.requireAll(predictor.models(), "router prices");
    this.predictor = predictor;
    this.prices = prices;
    this.costScale = costScale;
    this.provenance = provenance;
    this.budgetCurve = budgetCurve;
    this.priceArray = predictor.models().stream().map(prices::price).toArray(ModelPrice[]::new);
  }

  /** The fitted estimator of quality and output tokens. */
  public Predictor predictor() {
    return predictor;
  }

  /** The prices costs are computed with. */
  public PriceTable prices() {
    return prices;
  }

  /** The cost scale {@code s} of the rule. */
  public double costScale() {
    return costScale;
  }

  /** Where this router came from. */
  public Provenance provenance() {
    return provenance;
  }

  /** The models routed among, in the predictor's order. */
  public List<String> models() {
    return predictor.models();
  }

  /**
   * The same router with a new price table; predictions are untouched. The budget curve is
   * dropped: it was measured at the old prices.
   */
  public Router withPrices(PriceTable newPrices) {
    return new Router(predictor, newPrices, costScale, provenance, null);
  }

  /** The same router with a measured budget curve attached. */
  public Router withBudgetCurve(BudgetCurve curve) {
    return new Router(predictor, prices, costScale, provenance, curve);
  }

  /** Validation spend by mu, measured at training time, if the router has one. */
  public java.util.Optional<BudgetCurve> budgetCurve() {
    return java.util.Optional.ofNullable(budgetCurve);
  }

  /** Predicts and decides for one embedded prompt with {@code inputTokens} counted. */
  public Decision route(float[] embedding, double inputTokens, RouteOptions options) {
    return decide(predictor.predict(embedding), inputTokens, options);
  }

  /** Applies the rule to a prediction. */
  public Decision decide(Prediction p, double inputTokens, RouteOptions options) {
    List<String> models = predictor.models();
    for (String a : options.allowed()) {
      if (!models.contains(a)) {
        throw new CarrotException("unknown model '" + a + "' in the allowed models; the router knows " + models);
      }
    }
    double mu = options.mu();
    List<Candidate> cands = new ArrayList<>(models.size());
    List<String> tooLong = new ArrayList<>();
    for (int m = 0; m < models.size(); m++) {
      String name = models.get(m);
      if (!options.allowed().isEmpty() && !options.allowed().contains(name)) {
        continue;
      }
      if (!priceArray[m].fits(inputTokens)) {
        tooLong.add(name + " (" + priceArray[m].contextWindow() + ")");
        continue;
      }
      double cost = priceArray[m].cost(inputTokens, p.outputTokens()[m]);
      double score = score(mu, p.quality()[m], cost, costScale);
      cands.add(new Candidate(name, p.quality()[m], p.outputTokens()[m], cost, score));
    }
    if (cands.isEmpty()) {
      throw new CarrotException(
          "the prompt has " + (long) inputTokens + " input tokens, more than the context window of every allowed model: "
              + String.join(", ", tooLong));
    }
    cands.sort(ORDER);
    List<String> notes = tooLong.isEmpty()
        ? List.of()
        : List.of("not considered, the prompt's " + (long) inputTokens + " input tokens exceed their context window: "
            + String.join(", ", tooLong));
    return new Decision(cands.get(0).model(), mu, inputTokens, cands, notes);
  }

  /** The CARROT objective, defined once. */
  public static double score(double mu, double quality, double costUsd, double costScale) {
    return (1 - mu) * quality - mu * costScale * costUsd;
  }

  /**
   * Index of the chosen model for precomputed per-model quality and cost (the evaluation fast
   * path; same rule and tie-breaking as {@link #decide}). {@code allowed} may be null for all.
   */
  public static int argmax(double mu, double[] quality, double[] cost, double costScale, List<String> names, boolean[] allowed) {
    int best = -1;
    double bestScore = 0;
    for (int m = 0; m < quality.length; m++) {
      if (allowed != null && !allowed[m]) {
        continue;
      }
      double s = score(mu, quality[m], cost[m], costScale);
      if (best < 0
          || s > bestScore
          || (s == bestScore
              && (cost[m] < cost[best] || (cost[m] == cost[best] && names.get(m).compareTo(names.get(best)) < 0)))) {
        best = m;
        bestScore = s;
      }
    }
    return best;
  }

  /** Cost scale for a training set: 1 / mean cost of its most expensive model. */
  public static double costScaleFor(double[][] costs) {
    int m = costs[0].length;
    double worst = 0;
    for (int j = 0; j < m; j++) {
      double s = 0;
      int n = 0;
      for (double[] row : costs) {
        if (!Double.isNaN(row[j])) { // sparse data: the model's observed prompts only
          s += row[j];
          n++;
        }
      }
      if (n > 0) {
        worst = Math.max(worst, s / n);
      }
    }
    if (!(worst > 0)) {
      throw new CarrotException("every model has zero mean cost on the training data; cannot scale costs");
    }
    return 1 / worst;
  }

  /** A map view of the hyper-parameters, for reports. */
  public Map<String, Object> describe() {
    return Map.of("estimator", predictor.kind(), "cost_scale", costScale, "hyper_parameters", predictor.hyperParameters());
  }
}
