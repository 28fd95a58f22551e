package io.carrot.spring;

import io.carrot.api.DecisionListener;
import io.carrot.core.route.Candidate;
import io.carrot.core.route.Decision;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Records every decision in Micrometer, tagged by the chosen model: {@value #DECISIONS} (count),
 * {@value #PREDICTED_COST} (predicted USD of the request) and {@value #PREDICTED_QUALITY}. The
 * registry is looked up on first use, so the order of auto-configurations does not matter.
 */
public final class MicrometerDecisionListener implements DecisionListener {
  /** Counter of decisions, tag {@code model}. */
  public static final String DECISIONS = "carrot.decisions";

  /** Distribution of predicted cost in USD of the chosen model, tag {@code model}. */
  public static final String PREDICTED_COST = "carrot.decision.predicted.cost";

  /** Distribution of predicted quality of the chosen model, tag {@code model}. */
  public static final String PREDICTED_QUALITY = "carrot.decision.predicted.quality";

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
  }
}
