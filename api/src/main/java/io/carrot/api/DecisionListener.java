package io.carrot.api;

import io.carrot.core.route.Decision;

/**
 * Observes every decision a {@link CarrotRouter} makes (metrics, decision logs). Called on the
 * routing thread right after the decision, so it must be quick and thread-safe; an exception it
 * throws reaches the caller of {@code route}.
 */
@FunctionalInterface
public interface DecisionListener {
  /** Called once per routed prompt. */
  void onDecision(Decision decision);
}
