package io.carrot.core.route;

import io.carrot.core.CarrotException;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.Predictor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
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
  private final Support support;

  /** A router over {@code predictor}; every model needs a price and the cost scale must be positive. */
  public Router(Predictor predictor, PriceTable prices, double costScale, Provenance provenance) {
    this(predictor, prices, costScale, provenance, null);
  }

  /** @param budgetCurve validation spend by mu, or null when the router has none */
  public Router(Predictor predictor, PriceTable prices, double costScale, Provenance provenance, BudgetCurve budgetCurve) {
    this(predictor, prices, costScale, provenance, budgetCurve, null);
  }

  /**
   * @param budgetCurve validation spend by mu, or null when the router has none
   * @param support the training data's coverage and priors, or null when unknown
   */
  public Router(
      Predictor predictor, PriceTable prices, double costScale, Provenance provenance, BudgetCurve budgetCurve, Support support) {
    if (!(costScale > 0) || Double.isInfinite(costScale)) {
      throw new CarrotException("cost scale must be a finite number > 0, got " + costScale);
    }
    prices.requireAll(predictor.models(), "router prices");
    this.predictor = predictor;
    this.prices = prices;
    this.costScale = costScale;
    this.provenance = provenance;
    this.budgetCurve = budgetCurve;
    if (support != null
        && (support.dimension() != predictor.dimension() || support.priorQuality().length != predictor.models().size())) {
      throw new CarrotException("the support section has " + support.dimension() + "-d vectors and "
          + support.priorQuality().length + " models; the predictor " + predictor.dimension() + "-d and "
          + predictor.models().size());
    }
    this.support = support;
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
    return new Router(predictor, newPrices, costScale, provenance, null, support);
  }

  /** The same router with a measured budget curve attached. */
  public Router withBudgetCurve(BudgetCurve curve) {
    return new Router(predictor, prices, costScale, provenance, curve, support);
  }

  /** The same router with a support section (null removes it). */
  public Router withSupport(Support s) {
    return new Router(predictor, prices, costScale, provenance, budgetCurve, s);
  }

  /** How well the training data covers a prompt, if the router knows (files before format 3 do not). */
  public java.util.Optional<Support> support() {
    return java.util.Optional.ofNullable(support);
  }

  /** Validation spend by mu, measured at training time, if the router has one. */
  public java.util.Optional<BudgetCurve> budgetCurve() {
    return java.util.Optional.ofNullable(budgetCurve);
  }

  /**
   * Predicts and decides for one embedded prompt with {@code inputTokens} counted (see {@link
   * RouteOptions} for how the knobs apply).
   *
   * @throws CarrotException when the options set a budget (which needs the prompt's text: {@link
   *     #route(String, float[], double, RouteOptions)}) or name an unknown model
   * @throws ContextLengthExceeded when the prompt fits no allowed model's context window
   */
  public Decision route(float[] embedding, double inputTokens, RouteOptions options) {
    if (options.hasBudget()) {
      throw new CarrotException("a budget gives each prompt the mu of a hash of its text; route with the prompt's text");
    }
    return route("", embedding, inputTokens, options);
  }

  /** Predicts and decides for one prompt, its text choosing a budget's per-prompt mu. */
  public Decision route(String prompt, float[] embedding, double inputTokens, RouteOptions options) {
    Support.Level level = support == null ? null : support.level(embedding);
    return decide(predictor.predict(embedding), level, inputTokens, muFor(options, prompt), options);
  }

  /** {@link #route(String, float[], double, RouteOptions)} for many prompts, predicted and searched in one batch. */
  public List<Decision> routeAll(List<String> prompts, float[][] embeddings, double[] inputTokens, RouteOptions options) {
    if (prompts.size() != embeddings.length || inputTokens.length != embeddings.length) {
      throw new CarrotException("routeAll needs one embedding and one token count per prompt, got " + prompts.size()
          + " prompts, " + embeddings.length + " embeddings and " + inputTokens.length + " token counts");
    }
    Prediction[] p = predictor.predictAll(embeddings);
    Support.Level[] levels = support == null ? null : support.levels(embeddings);
    List<Decision> out = new ArrayList<>(p.length);
    for (int i = 0; i < p.length; i++) {
      out.add(decide(p[i], levels == null ? null : levels[i], inputTokens[i], muFor(options, prompts.get(i)), options));
    }
    return out;
  }

  /**
   * The predictions the rule uses: the estimator's, moved toward the priors by each prompt's support
   * when {@code towardPriors} and the router has a support section (for evaluations "with and
   * without" the fallback).
   */
  public Prediction[] predictAll(float[][] embeddings, boolean towardPriors) {
    Prediction[] p = predictor.predictAll(embeddings);
    if (towardPriors && support != null) {
      Support.Level[] levels = support.levels(embeddings);
      for (int i = 0; i < p.length; i++) {
        p[i] = support.towardPriors(p[i], levels[i]);
      }
    }
    return p;
  }

  /** The mu for {@code prompt}: the options' mu, or its budget's per-prompt mu from the spend curve. */
  public double muFor(RouteOptions options, String prompt) {
    if (!options.hasBudget()) {
      return options.mu();
    }
    return requireBudgetCurve().setting(options.budgetUsdPer1000()).muFor(prompt);
  }

  /** The stored spend curve, or a clear error naming what is missing. */
  public BudgetCurve requireBudgetCurve() {
    if (budgetCurve == null) {
      throw new CarrotException(
          "a budget needs the spend curve that 'carrot train' stores when the dataset has a validation split; this router has none");
    }
    return budgetCurve;
  }

  /** Applies the rule at {@code options.mu()} to a raw prediction, without support. */
  public Decision decide(Prediction p, double inputTokens, RouteOptions options) {
    return decide(p, null, inputTokens, options.mu(), options);
  }

  /**
   * Applies the rule to the estimator's prediction {@code raw}: moves it toward the priors by
   * {@code level} (when the options' support fallback is on), then ranks the candidates the options
   * leave at {@code mu} (a budget in {@code options} is ignored: {@code mu} is its resolved value).
   *
   * @param level the prompt's support, or null when unknown
   * @throws ContextLengthExceeded when the prompt fits no allowed model's context window
   */
  public Decision decide(Prediction raw, Support.Level level, double inputTokens, double mu, RouteOptions options) {
    Prediction p = level != null && support != null && options.supportFallback() ? support.towardPriors(raw, level) : raw;
    boolean[] allowed = allowed(options);
    List<String> models = predictor.models();
    List<Candidate> cands = new ArrayList<>(models.size());
    List<String> tooLong = new ArrayList<>();
    long largest = 0;
    for (int m = 0; m < models.size(); m++) {
      if (!allowed[m]) {
        continue;
      }
      String name = models.get(m);
      if (!priceArray[m].fits(inputTokens)) {
        tooLong.add(name + " (" + priceArray[m].contextWindow() + ")");
        largest = Math.max(largest, priceArray[m].contextWindow());
        continue;
      }
      double cost = priceArray[m].cost(p.inputTokens(m, inputTokens), p.outputTokens()[m]);
      cands.add(new Candidate(name, p.quality()[m], p.outputTokens()[m], cost, score(mu, p.quality()[m], cost, costScale)));
    }
    if (cands.isEmpty()) {
      throw new ContextLengthExceeded((long) inputTokens, largest, String.join(", ", tooLong));
    }
    cands.sort(ORDER);
    List<String> notes = new ArrayList<>();
    if (!tooLong.isEmpty()) {
      notes.add("not considered, the prompt's " + (long) inputTokens + " input tokens exceed their context window: "
          + String.join(", ", tooLong));
    }
    cands = constrain(cands, options, notes);
    if (level != null && level.low()) {
      notes.add(String.format(Locale.ROOT,
          "low support: the prompt is less like the training prompts (similarity %.3f) than they are to each other;"
              + " %s; collect answers for prompts like it ('carrot collect') and retrain",
          level.similarity(), options.supportFallback() ? "routed like the prompt-blind router" : "the fallback is off"));
    }
    return new Decision(cands.get(0).model(), mu, inputTokens, cands, notes, level);
  }

  /** The router's models the options allow (allow minus deny), by index; fails on unknown names or none left. */
  private boolean[] allowed(RouteOptions o) {
    List<String> models = predictor.models();
    requireKnown(o.allow(), "the allow list");
    requireKnown(o.deny(), "the deny list");
    boolean[] out = new boolean[models.size()];
    boolean any = false;
    for (int m = 0; m < out.length; m++) {
      String name = models.get(m);
      out[m] = (o.allow().isEmpty() || o.allow().contains(name)) && !o.deny().contains(name);
      any |= out[m];
    }
    if (!any) {
      throw new CarrotException("allow " + o.allow() + " minus deny " + o.deny() + " leaves no model to route to");
    }
    return out;
  }

  private void requireKnown(java.util.Set<String> names, String knob) {
    for (String name : names) {
      if (!predictor.models().contains(name)) {
        throw new CarrotException("unknown model '" + name + "' in " + knob + "; the router knows " + predictor.models());
      }
    }
  }

  /**
   * The cost ceiling, then the quality floor, over candidates in the rule's order (see {@link
   * RouteOptions}); adds a note for a constraint no candidate meets.
   */
  private static List<Candidate> constrain(List<Candidate> cands, RouteOptions o, List<String> notes) {
    List<Candidate> within = cands;
    if (o.maxCostUsd() != Double.POSITIVE_INFINITY) {
      within = new ArrayList<>();
      for (Candidate c : cands) {
        if (c.costUsd() <= o.maxCostUsd()) {
          within.add(c);
        }
      }
      if (within.isEmpty()) {
        // a ceiling nobody meets still has to send the request somewhere: the cheapest model
        Candidate cheapest = cands.stream().min(QualityFloor.CHEAPEST_FIRST).orElseThrow();
        within.add(cheapest);
        notes.add("no model's predicted cost is within the ceiling of " + o.maxCostUsd() + " USD; chose the cheapest, "
            + cheapest.model());
      }
    }
    if (o.minQuality() > 0) {
      within = QualityFloor.sort(within, o.minQuality());
      if (!QualityFloor.cleared(within, o.minQuality())) {
        notes.add("no model's predicted quality reaches the floor of " + o.minQuality() + "; chose the best predicted, "
            + within.get(0).model() + String.format(Locale.ROOT, " (%.3f)", within.get(0).quality()));
      }
    }
    return within;
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
