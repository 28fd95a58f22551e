package io.carrot.core.route;

import io.carrot.core.CarrotException;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * The knobs of one routing request, validated when built; the one options type of the library, the
 * server, LangChain4j and Spring. Start from {@link #mu(double)} or {@link #budget(double)} and add
 * constraints:
 *
 * <pre>{@code
 * RouteOptions opts = RouteOptions.mu(0.3)
 *     .withDeny(Set.of("o1-preview"))      // never send there
 *     .withMaxCostUsd(0.01)                // at most 1 cent predicted per request
 *     .withMinQuality(0.8);                // cheapest model predicted to be right 80% of the time
 * }</pre>
 *
 * <p>How {@link Router} applies them, in this order: the candidates are the router's models,
 * restricted to {@code allow} when it is not empty, minus {@code deny}, minus the models whose
 * context window the prompt exceeds (none left: {@link ContextLengthExceeded}); candidates whose
 * predicted cost exceeds {@code maxCostUsd} are dropped (if that drops all of them, only the
 * cheapest is kept, so a request always has somewhere to go); then, without a quality floor, the
 * CARROT rule at {@code mu} ranks them; with a floor ({@code minQuality > 0}), {@link QualityFloor}
 * does. {@link #satisfiedBy} tells whether the chosen candidate met the ceiling and the floor.
 *
 * <p>A budget (USD per 1000 requests) replaces {@code mu}: each prompt gets the mu that the
 * router's stored spend curve assigns to its text ({@link BudgetCurve#setting(double)}).
 *
 * @param mu trade-off in [0, 1]: 0 = best predicted quality whatever the price, 1 = cheapest
 * @param budgetUsdPer1000 spend target in USD per 1000 requests, replacing {@code mu}; NaN = none
 * @param allow models that may be chosen; empty = every model of the router
 * @param deny models that must never be chosen
 * @param maxCostUsd ceiling on a request's predicted cost in USD; {@code +Infinity} = no ceiling
 * @param minQuality floor on predicted quality in [0, 1]; 0 = no floor (the CARROT rule alone)
 * @param supportFallback move predictions toward the model priors where the training data covers
 *     the prompt poorly ({@link Support}); on by default, off only to compare
 */
public record RouteOptions(
    double mu,
    double budgetUsdPer1000,
    Set<String> allow,
    Set<String> deny,
    double maxCostUsd,
    double minQuality,
    boolean supportFallback) {
  /** Validates every knob; messages name the knob and the value. */
  public RouteOptions {
    if (!(mu >= 0 && mu <= 1)) {
      throw new CarrotException("mu must be in [0, 1], got " + mu);
    }
    if (!Double.isNaN(budgetUsdPer1000) && !(budgetUsdPer1000 > 0 && Double.isFinite(budgetUsdPer1000))) {
      throw new CarrotException("budget must be a number of USD per 1000 requests > 0, got " + budgetUsdPer1000);
    }
    if (!(maxCostUsd > 0)) {
      throw new CarrotException("maxCostUsd must be > 0 USD (Infinity for no ceiling), got " + maxCostUsd);
    }
    if (!(minQuality >= 0 && minQuality <= 1)) {
      throw new CarrotException("minQuality must be in [0, 1] (0 for no floor), got " + minQuality);
    }
    allow = allow == null ? Set.of() : Set.copyOf(allow);
    deny = deny == null ? Set.of() : Set.copyOf(deny);
    Set<String> both = new HashSet<>(allow);
    both.retainAll(deny);
    if (!both.isEmpty()) {
      throw new CarrotException("models " + both + " are both allowed and denied; list each in one of allow or deny");
    }
  }

  /** Every model at trade-off {@code mu}, no constraints, support fallback on. */
  public static RouteOptions mu(double mu) {
    return new RouteOptions(mu, Double.NaN, Set.of(), Set.of(), Double.POSITIVE_INFINITY, 0, true);
  }

  /**
   * Every model at a spend target of {@code usdPer1000} USD per 1000 requests instead of a fixed mu;
   * routing then needs a router with a stored spend curve. A fixed setting, right for a single
   * request or an offline batch; a live stream whose answers report their real cost is better held
   * to its budget by a {@link BudgetPacer}.
   */
  public static RouteOptions budget(double usdPer1000) {
    return mu(0).withBudget(usdPer1000);
  }

  /** These options with another trade-off and no budget. */
  public RouteOptions withMu(double newMu) {
    return new RouteOptions(newMu, Double.NaN, allow, deny, maxCostUsd, minQuality, supportFallback);
  }

  /** These options with a spend target replacing mu (see {@link #budget(double)}). */
  public RouteOptions withBudget(double usdPer1000) {
    return new RouteOptions(mu, usdPer1000, allow, deny, maxCostUsd, minQuality, supportFallback);
  }

  /** These options restricted to {@code models} (empty = every model). */
  public RouteOptions withAllow(Collection<String> models) {
    return new RouteOptions(mu, budgetUsdPer1000, Set.copyOf(models), deny, maxCostUsd, minQuality, supportFallback);
  }

  /** These options with {@code models} never chosen. */
  public RouteOptions withDeny(Collection<String> models) {
    return new RouteOptions(mu, budgetUsdPer1000, allow, Set.copyOf(models), maxCostUsd, minQuality, supportFallback);
  }

  /** These options with a ceiling on each request's predicted cost in USD. */
  public RouteOptions withMaxCostUsd(double usd) {
    return new RouteOptions(mu, budgetUsdPer1000, allow, deny, usd, minQuality, supportFallback);
  }

  /** These options with a floor on predicted quality (0 removes it). */
  public RouteOptions withMinQuality(double quality) {
    return new RouteOptions(mu, budgetUsdPer1000, allow, deny, maxCostUsd, quality, supportFallback);
  }

  /** These options with the support fallback on (the default) or off (to compare). */
  public RouteOptions withSupportFallback(boolean on) {
    return new RouteOptions(mu, budgetUsdPer1000, allow, deny, maxCostUsd, minQuality, on);
  }

  /** True when a budget replaces mu. */
  public boolean hasBudget() {
    return !Double.isNaN(budgetUsdPer1000);
  }

  /** True when {@code c} is within the cost ceiling and reaches the quality floor. */
  public boolean satisfiedBy(Candidate c) {
    return c.costUsd() <= maxCostUsd && c.quality() >= minQuality;
  }
}
