package io.carrot.server.policy;

import io.carrot.core.predict.Prediction;
import io.carrot.core.route.BudgetPacer;
import io.carrot.core.route.ContextLengthExceeded;
import io.carrot.core.route.Decision;
import io.carrot.core.route.QualityFloor;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.route.Router;
import io.carrot.core.route.Support;
import io.carrot.server.ApiError;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;

/**
 * Turns a {@link ModelSpec} into a decision over one prompt's prediction.
 *
 * <p>The server's knobs over the core rule, each meaning what it means in the library and the CLI
 * (every constraint is core's, {@link RouteOptions}; the server only picks the mu and the options):
 *
 * <ul>
 *   <li><b>mu</b>: the CARROT rule, {@code mu} raised by {@code pressure} when the client's key is
 *       near its daily budget.</li>
 *   <li><b>budget</b> ({@code B} USD per 1000 requests): a mean real spend of {@code B} over the
 *       key's stream of requests at that budget. The stream's {@link BudgetPacer} (from
 *       {@link Pacers}) gives the setting for the next request, the router's budget curve corrected
 *       by the stream's running excess of real cost; the prompt's mu is that setting's mu for its
 *       text ({@link io.carrot.core.route.BudgetCurve.Setting#muFor}), then raised by
 *       {@code pressure} like any mu. The caller records the request's real cost in
 *       {@link Routed#recordsTo()}.</li>
 *   <li><b>max-cost</b> ({@code X} USD): the rule at the default mu (raised by {@code pressure})
 *       among the candidates predicted to cost at most {@code X} for this request; when none is,
 *       the cheapest, with {@link Routed#constraintMet()} false.</li>
 *   <li><b>min-quality</b> ({@code Q}): the cheapest candidate whose predicted quality is at least
 *       {@code Q}; when none is, the best predicted quality, with {@link Routed#constraintMet()}
 *       false. Candidates are ordered that way for fallbacks too (core's {@link QualityFloor}).</li>
 * </ul>
 */
public final class RoutingPolicy {
  private final Router router;
  private final RouteOptions base;
  private final Pacers pacers;

  /**
   * @param allowed the router's models that have an upstream (only these may be chosen)
   * @param defaultMu the mu of a plain {@code carrot} request
   * @param pacers the streams of budget requests
   */
  public RoutingPolicy(Router router, Set<String> allowed, double defaultMu, Pacers pacers) {
    this.router = router;
    this.base = RouteOptions.mu(defaultMu).withAllow(allowed);
    this.pacers = pacers;
  }

  public double defaultMu() {
    return base.mu();
  }

  /**
   * Decides for one prompt.
   *
   * @param spec a routed spec (not {@link ModelSpec.Passthrough})
   * @param prompt the text routed on (a budget's per-prompt mu is a hash of it)
   * @param keyId the client's key id (a budget's stream is per key)
   * @param support the prompt's support, or null when the router has no support section
   * @param pressure maps the requested mu to the mu actually used (identity when the client is far
   *     from its daily budget)
   * @throws ApiError 400 {@code context_length_exceeded} when the prompt fits no allowed model
   */
  public Routed decide(
      ModelSpec spec, String prompt, String keyId, Prediction p, Support.Level support, double inputTokens,
      DoubleUnaryOperator pressure) {
    try {
      return switch (spec) {
        case ModelSpec.Mu m -> routed(p, support, inputTokens, pressure.applyAsDouble(m.isDefault() ? base.mu() : m.mu()), base, "mu");
        case ModelSpec.Budget b -> {
          BudgetPacer pacer = pacers.get(keyId, b.usdPer1000());
          double mu = pacer.next().muFor(prompt);
          double used = pressure.applyAsDouble(mu);
          Routed r = routed(p, support, inputTokens, used, base, "budget");
          yield new Routed(r.decision(), r.policy(), r.constraintMet(), pacer, used != mu);
        }
        case ModelSpec.MaxCost c -> routed(p, support, inputTokens, pressure.applyAsDouble(base.mu()), base.withMaxCostUsd(c.usd()), "max-cost");
        case ModelSpec.MinQuality q -> routed(p, support, inputTokens, base.mu(), base.withMinQuality(q.quality()), "min-quality");
        case ModelSpec.Passthrough x -> throw new IllegalArgumentException("a passthrough request is not routed: " + x);
      };
    } catch (ContextLengthExceeded e) {
      throw new ApiError(400, "invalid_request_error", "context_length_exceeded", "messages", e.getMessage());
    }
  }

  /** Core's rule with the request's constraints; the constraint is met when the chosen candidate satisfies it. */
  private Routed routed(Prediction p, Support.Level support, double inputTokens, double mu, RouteOptions options, String policy) {
    Decision d = router.decide(p, support, inputTokens, Math.min(1, Math.max(0, mu)), options);
    return new Routed(d, policy, options.satisfiedBy(d.chosen()));
  }
}
