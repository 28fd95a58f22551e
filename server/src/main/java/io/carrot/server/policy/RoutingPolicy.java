package io.carrot.server.policy;

import io.carrot.core.predict.Prediction;
import io.carrot.core.route.Candidate;
import io.carrot.core.route.Decision;
import io.carrot.core.route.QualityFloor;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.route.Router;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;

/**
 * Turns a {@link ModelSpec} into a decision over one prompt's prediction.
 *
 * <p>The server's knobs over the core rule (the quality floor is core's {@link QualityFloor}):
 *
 * <ul>
 *   <li><b>mu</b>: the CARROT rule, {@code mu} raised by {@code pressure} when the client's key is
 *       near its daily budget.</li>
 *   <li><b>budget</b> ({@code B} USD per 1000 requests): a per-request cap {@code B / 1000} on the
 *       predicted cost. The smallest {@code mu} whose decision is under the cap is found by
 *       bisection: for one prompt the chosen model's predicted cost never rises with {@code mu}, so
 *       the smallest such {@code mu} gives the best predicted quality the cap allows. When even
 *       {@code mu = 1} is over the cap, the cheapest decision is taken and
 *       {@link Routed#constraintMet()} is false.</li>
 *   <li><b>min-quality</b> ({@code Q}): the cheapest candidate whose predicted quality is at least
 *       {@code Q}; when none is, the best predicted quality, with {@link Routed#constraintMet()}
 *       false. Candidates are ordered that way for fallbacks too.</li>
 * </ul>
 */
public final class RoutingPolicy {
  /** Bisection steps: mu to within 1e-9. */
  private static final int STEPS = 30;

  private final Router router;
  private final Set<String> allowed;
  private final double defaultMu;

  /**
   * @param allowed the router's models that have an upstream (only these may be chosen)
   * @param defaultMu the mu of a plain {@code carrot} request
   */
  public RoutingPolicy(Router router, Set<String> allowed, double defaultMu) {
    this.router = router;
    this.allowed = Set.copyOf(allowed);
    this.defaultMu = new RouteOptions(defaultMu, Set.of()).mu();
  }

  public double defaultMu() {
    return defaultMu;
  }

  /**
   * Decides for one prompt.
   *
   * @param spec a routed spec (not {@link ModelSpec.Passthrough})
   * @param pressure maps the requested mu to the mu actually used (identity when the client is far
   *     from its daily budget)
   */
  public Routed decide(ModelSpec spec, Prediction p, double inputTokens, DoubleUnaryOperator pressure) {
    return switch (spec) {
      case ModelSpec.Mu m -> new Routed(at(p, inputTokens, pressure.applyAsDouble(m.isDefault() ? defaultMu : m.mu())), "mu", true);
      case ModelSpec.Budget b -> underCap(p, inputTokens, b.perRequestUsd(), pressure);
      case ModelSpec.MinQuality q -> floor(at(p, inputTokens, defaultMu), q.quality());
      case ModelSpec.Passthrough x -> throw new IllegalArgumentException("a passthrough request is not routed: " + x);
    };
  }

  private Decision at(Prediction p, double inputTokens, double mu) {
    return router.decide(p, inputTokens, new RouteOptions(Math.min(1, Math.max(0, mu)), allowed));
  }

  private Routed underCap(Prediction p, double inputTokens, double cap, DoubleUnaryOperator pressure) {
    Decision best = at(p, inputTokens, 0);
    if (best.chosen().costUsd() <= cap) {
      return new Routed(at(p, inputTokens, pressure.applyAsDouble(0)), "budget", true);
    }
    Decision cheapest = at(p, inputTokens, 1);
    if (cheapest.chosen().costUsd() > cap) {
      return new Routed(cheapest, "budget", false);
    }
    double lo = 0;
    double hi = 1;
    for (int i = 0; i < STEPS; i++) {
      double mid = (lo + hi) / 2;
      if (at(p, inputTokens, mid).chosen().costUsd() <= cap) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return new Routed(at(p, inputTokens, pressure.applyAsDouble(hi)), "budget", true);
  }

  private static Routed floor(Decision d, double q) {
    List<Candidate> order = QualityFloor.sort(d.candidates(), q);
    boolean cleared = QualityFloor.cleared(order, q);
    List<String> notes = new java.util.ArrayList<>(d.notes());
    if (!cleared) {
      notes.add("no model's predicted quality reaches min-quality " + q + "; chose the best predicted, " + order.get(0).model());
    }
    return new Routed(new Decision(order.get(0).model(), d.mu(), d.inputTokens(), order, notes), "min-quality", cleared);
  }
}
