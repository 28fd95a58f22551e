package io.carrot.api;

import io.carrot.core.CarrotException;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * The knobs a caller turns per request, validated when built. Start from {@link #mu(double)} and
 * add constraints:
 *
 * <pre>{@code
 * RoutingOptions opts = RoutingOptions.mu(0.3)
 *     .withDeny(Set.of("o1-preview"))      // never send there
 *     .withMaxCostUsd(0.01)                // at most 1 cent predicted per request
 *     .withMinQuality(0.8);                // cheapest model predicted to be right 80% of the time
 * Decision d = router.route("What is the value of i^i?", opts);
 * }</pre>
 *
 * <p>How they combine, in this order: the candidates are the router's models, restricted to
 * {@code allow} when it is not empty, minus {@code deny}; candidates whose predicted cost exceeds
 * {@code maxCostUsd} are dropped (if that drops all of them, only the cheapest is kept, so a request
 * always has somewhere to go); then, without a quality floor, the CARROT rule at {@code mu} ranks
 * them; with a floor ({@code minQuality > 0}), the cheapest candidate predicted to reach it comes
 * first, then the others that reach it by cost, then the rest by predicted quality, so when none
 * reaches the floor the best predicted model is chosen (the caller sees it as
 * {@code decision.chosen().quality() < minQuality}).
 *
 * <p>A budget ({@link #withBudget(double)}, USD per 1000 requests) replaces {@code mu}: each prompt
 * gets the mu that the router's stored spend curve assigns to it, so that the expected spend on
 * the router's validation prompts equals the budget (see {@link
 * io.carrot.core.route.BudgetCurve#setting(double)}: two neighbouring mu are mixed per prompt by a
 * hash of its text, so the same prompt always gets the same mu). {@link io.carrot.core.route.Decision#mu()} shows the mu
 * used. The other knobs apply on top, as with a plain mu.
 *
 * @param mu trade-off in [0, 1]: 0 = best predicted quality whatever the price, 1 = cheapest
 * @param allow models that may be chosen; empty = every model of the router
 * @param deny models that must never be chosen
 * @param maxCostUsd ceiling on a request's predicted cost in USD; {@code +Infinity} = no ceiling
 * @param minQuality floor on predicted quality in [0, 1]; 0 = no floor (the CARROT rule alone)
 * @param budgetUsdPer1000 spend target in USD per 1000 requests, replacing {@code mu}; NaN = none
 */
public record RoutingOptions(
    double mu, Set<String> allow, Set<String> deny, double maxCostUsd, double minQuality, double budgetUsdPer1000) {
  /** Validates every knob; messages name the knob and the value. */
  public RoutingOptions {
    if (!(mu >= 0 && mu <= 1)) {
      throw new CarrotException("mu must be in [0, 1], got " + mu);
    }
    if (!(maxCostUsd > 0)) {
      throw new CarrotException("maxCostUsd must be > 0 USD (Infinity for no ceiling), got " + maxCostUsd);
    }
    if (!(minQuality >= 0 && minQuality <= 1)) {
      throw new CarrotException("minQuality must be in [0, 1] (0 for no floor), got " + minQuality);
    }
    if (!Double.isNaN(budgetUsdPer1000) && !(budgetUsdPer1000 > 0 && Double.isFinite(budgetUsdPer1000))) {
      throw new CarrotException("budget must be a number of USD per 1000 requests > 0, got " + budgetUsdPer1000);
    }
    allow = allow == null ? Set.of() : Set.copyOf(allow);
    deny = deny == null ? Set.of() : Set.copyOf(deny);
    Set<String> both = new HashSet<>(allow);
    both.retainAll(deny);
    if (!both.isEmpty()) {
      throw new CarrotException("models " + both + " are both allowed and denied; list each in one of allow or deny");
    }
  }

  /** Options without a budget. */
  public RoutingOptions(double mu, Set<String> allow, Set<String> deny, double maxCostUsd, double minQuality) {
    this(mu, allow, deny, maxCostUsd, minQuality, Double.NaN);
  }

  /** Every model, trade-off {@code mu}, no constraints. */
  public static RoutingOptions mu(double mu) {
    return new RoutingOptions(mu, Set.of(), Set.of(), Double.POSITIVE_INFINITY, 0);
  }

  /** These options with another trade-off (and no budget). */
  public RoutingOptions withMu(double newMu) {
    return new RoutingOptions(newMu, allow, deny, maxCostUsd, minQuality);
  }

  /**
   * These options with a spend target in USD per 1000 requests instead of a fixed mu; routing then
   * needs a router with a stored spend curve ({@code carrot train} stores one when the dataset has a
   * validation split).
   *
   * <p>This is a fixed setting, right for a single request or an offline batch: its expected spend
   * on the router's validation prompts is the budget, and on other prompts it misses by their own
   * noise. For a live stream whose answers report their real cost, route with a pacer instead
   * ({@link CarrotRouter#pacer(double)}), which corrects the setting from the costs recorded.
   */
  public RoutingOptions withBudget(double usdPer1000) {
    return new RoutingOptions(mu, allow, deny, maxCostUsd, minQuality, usdPer1000);
  }

  /** True when a budget replaces mu. */
  public boolean hasBudget() {
    return !Double.isNaN(budgetUsdPer1000);
  }

  /** These options restricted to {@code models} (empty = every model). */
  public RoutingOptions withAllow(Collection<String> models) {
    return new RoutingOptions(mu, Set.copyOf(models), deny, maxCostUsd, minQuality, budgetUsdPer1000);
  }

  /** These options with {@code models} never chosen. */
  public RoutingOptions withDeny(Collection<String> models) {
    return new RoutingOptions(mu, allow, Set.copyOf(models), maxCostUsd, minQuality, budgetUsdPer1000);
  }

  /** These options with a ceiling on each request's predicted cost in USD. */
  public RoutingOptions withMaxCostUsd(double usd) {
    return new RoutingOptions(mu, allow, deny, usd, minQuality, budgetUsdPer1000);
  }

  /** These options with a floor on predicted quality (0 removes it). */
  public RoutingOptions withMinQuality(double quality) {
    return new RoutingOptions(mu, allow, deny, maxCostUsd, quality, budgetUsdPer1000);
  }

  /** True when a cost ceiling or a quality floor is set. */
  public boolean constrained() {
    return maxCostUsd != Double.POSITIVE_INFINITY || minQuality > 0;
  }
}
