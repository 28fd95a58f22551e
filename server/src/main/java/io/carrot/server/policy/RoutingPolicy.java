package io.carrot.server.policy;

import io.carrot.core.predict.Prediction;
import io.carrot.core.route.BudgetPacer;
import io.carrot.core.route.Candidate;
import io.carrot.core.route.Decision;
import io.carrot.core.route.QualityFloor;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.route.Router;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;

/**
 * Turns a {@link ModelSpec} into a decision over one prompt's prediction.
 *
 * <p>The server's knobs over the core rule, each meaning what it means in the library and the CLI:
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
  private static final Comparator<Candidate> CHEAPEST =
      Comparator.comparingDouble(Candidate::costUsd).thenComparingDouble(c -> -c.quality()).thenComparing(Candidate::model);

  private final Router router;
  private final Set<String> allowed;
  private final double defaultMu;
  private final Pacers pacers;

  /**
   * @param allowed the router's models that have an upstream (only these may be chosen)
   * @param defaultMu the mu of a plain {@code carrot} request
   * @param pacers the streams of budget requests
   */
  public RoutingPolicy(Router router, Set<String> allowed, double defaultMu, Pacers pacers) {
    this.router = router;
    this.allowed = Set.copyOf(allowed);
    this.defaultMu = new RouteOptions(defaultMu, Set.of()).mu();
    this.pacers = pacers;
  }

  public double defaultMu() {
    return defaultMu;
  }

  /**
   * Decides for one prompt.
   *
   * @param spec a routed spec (not {@link ModelSpec.Passthrough})
   * @param prompt the text routed on (a budget's per-prompt mu is a hash of it)
   * @param keyId the client's key id (a budget's stream is per key)
   * @param pressure maps the requested mu to the mu actually used (identity when the client is far
   *     from its daily budget)
   */
  public Routed decide(ModelSpec spec, String prompt, String keyId, Prediction p, double inputTokens, DoubleUnaryOperator pressure) {
    return switch (spec) {
      case ModelSpec.Mu m -> new Routed(at(p, inputTokens, pressure.applyAsDouble(m.isDefault() ? defaultMu : m.mu())), "mu", true);
      case ModelSpec.Budget b -> {
        BudgetPacer pacer = pacers.get(keyId, b.usdPer1000());
        double mu = pacer.next().muFor(prompt);
        double used = pressure.applyAsDouble(mu);
        yield new Routed(at(p, inputTokens, used), "budget", true, pacer, used != mu);
      }
      case ModelSpec.MaxCost c -> underCap(at(p, inputTokens, pressure.applyAsDouble(defaultMu)), c.usd());
      case ModelSpec.MinQuality q -> floor(at(p, inputTokens, defaultMu), q.quality());
      case ModelSpec.Passthrough x -> throw new IllegalArgumentException("a passthrough request is not routed: " + x);
    };
  }

  private Decision at(Prediction p, double inputTokens, double mu) {
    return router.decide(p, inputTokens, new RouteOptions(Math.min(1, Math.max(0, mu)), allowed));
  }

  /** The candidates predicted within the cap, in the rule's order; the cheapest alone when none is. */
  private static Routed underCap(Decision d, double cap) {
    List<Candidate> within = new ArrayList<>();
    for (Candidate c : d.candidates()) {
      if (c.costUsd() <= cap) {
        within.add(c);
      }
    }
    List<String> notes = new ArrayList<>(d.notes());
    boolean met = !within.isEmpty();
    if (!met) {
      Candidate cheapest = d.candidates().stream().min(CHEAPEST).orElseThrow();
      within.add(cheapest);
      notes.add("no model's predicted cost is within max-cost " + cap + " USD; chose the cheapest, " + cheapest.model());
    }
    return new Routed(new Decision(within.get(0).model(), d.mu(), d.inputTokens(), within, notes), "max-cost", met);
  }

  private static Routed floor(Decision d, double q) {
    List<Candidate> order = QualityFloor.sort(d.candidates(), q);
    boolean cleared = QualityFloor.cleared(order, q);
    List<String> notes = new ArrayList<>(d.notes());
    if (!cleared) {
      notes.add("no model's predicted quality reaches min-quality " + q + "; chose the best predicted, " + order.get(0).model());
    }
    return new Routed(new Decision(order.get(0).model(), d.mu(), d.inputTokens(), order, notes), "min-quality", cleared);
  }
}
