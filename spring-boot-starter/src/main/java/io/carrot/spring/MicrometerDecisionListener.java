package io.carrot.spring;

import io.carrot.api.DecisionListener;
import io.carrot.core.route.Candidate;
import io.carrot.core.route.Decision;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Records every decision in Micrometer, tagged by the chosen model: {@value #DECISIONS} (count),
 * {@value #PREDICTED_COST} (predicted USD of the request), {@value #PREDICTED_QUALITY}, and
 * {@value #SUPPORT} (the prompt's support percentile, when the router knows it) with the count of
 * {@value #LOW_SUPPORT} decisions (prompts the training data hardly covers, routed like the
 * prompt-blind router: a steady share means the router needs data for that traffic). The
 * registry is looked up on first use, so the order of auto-configurations does not matter.
 */
public final class MicrometerDecisionListener implements DecisionListener {
  /** Counter of decisions, tag {@code model}. */
  public static final String DECISIONS = "carrot.decisions";

  /** Distribution of predicted cost in USD of the chosen model, tag {@code model}. */
  public static final String PREDICTED_COST = "carrot.decision.predicted.cost";

  /** Distribution of predicted quality of the chosen model, tag {@code model}. */
  public static final String PREDICTED_QUALITY = "carrot.decision.predicted.quality";

  /** Distribution of the prompts' support percentile in [0, 1], tag {@code model}. */
  public static final String SUPPORT = "carrot.decision.support";

  /** Counter of low-support decisions, tag {@code model}. */
  public static final String LOW_SUPPORT = "carrot.decisions.low.support";

  private final ObjectProvider<MeterRegistry> registry;

  /** Records into the registry {@code registry} provides, if any. */
  public MicrometerDecisionListener(ObjectProvider<MeterRegistry> registry) {
    this.registry = registry;
  }

  @Override
  public void onDecision(Decision decision) {
    MeterRegistry r = registry.getIfAvailable();
    if (r == null) {
      return;
    }
    Candidate c = decision.chosen();
    r.counter(DECISIONS, "model", c.model()).increment();
    DistributionSummary.builder(PREDICTED_COST)
        .baseUnit("usd")
        .description("predicted cost of the routed request")
        .tag("model", c.model())
        .register(r)
        .record(c.costUsd());
    DistributionSummary.builder(PREDICTED_QUALITY)
        .description("predicted quality of the routed request")
        .tag("model", c.model())
        .register(r)
        .record(c.quality());
    if (decision.support() != null) {
      DistributionSummary.builder(SUPPORT)
          .description("support of the routed prompt: percentile of the training prompts' own neighbour similarity")
          .tag("model", c.model())
          .register(r)
          .record(decision.support().percentile());
      if (decision.lowSupport()) {
        r.counter(LOW_SUPPORT, "model", c.model()).increment();
      }
    }
  }
}
