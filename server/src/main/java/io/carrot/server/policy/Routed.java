package io.carrot.server.policy;

import io.carrot.core.route.BudgetPacer;
import io.carrot.core.route.Decision;

/**
 * A decision and how it was reached.
 *
 * @param decision candidates in the order they are tried: the chosen one first, then the
 *     fallbacks
 * @param policy {@code mu}, {@code budget}, {@code max-cost} or {@code min-quality}
 * @param constraintMet false when a cost ceiling or quality floor could not be met by any candidate
 *     (the decision then holds the closest candidate)
 * @param pacer the stream's pacer for a {@code budget} request, else null
 * @param pressed true when the key's daily budget raised the mu: such a request's cost is not
 *     recorded in the pacer, which would otherwise spend the saving back once the pressure lifts
 */
public record Routed(Decision decision, String policy, boolean constraintMet, BudgetPacer pacer, boolean pressed) {
  /** A decision that is not paced. */
  public Routed(Decision decision, String policy, boolean constraintMet) {
    this(decision, policy, constraintMet, null, false);
  }

  /** The pacer this request's real cost goes to, or null. */
  public BudgetPacer recordsTo() {
    return pressed ? null : pacer;
  }
}
