package io.carrot.core.route;

import java.util.List;

/**
 * The routing decision for one prompt.
 *
 * @param model the chosen model (the first candidate)
 * @param mu the trade-off used
 * @param inputTokens input tokens counted for the prompt
 * @param candidates every allowed model, best first: the chosen one, then the fallbacks in order
 * @param notes why the decision departs from the plain rule, for the user (e.g. a model skipped
 *     because the prompt exceeds its context window, a constraint no model meets, low support);
 *     empty when it does not
 * @param support how well the router's training data covers the prompt, or null when the router
 *     carries no support section (files written before it existed)
 */
public record Decision(
    String model, double mu, double inputTokens, List<Candidate> candidates, List<String> notes, Support.Level support) {
  /** A decision of the plain rule, without notes or support. */
  public Decision(String model, double mu, double inputTokens, List<Candidate> candidates) {
    this(model, mu, inputTokens, candidates, List.of(), null);
  }

  /** Copies the candidates and notes. */
  public Decision {
    candidates = List.copyOf(candidates);
    notes = notes == null ? List.of() : List.copyOf(notes);
  }

  /** The chosen model's candidate entry. */
  public Candidate chosen() {
    return candidates.get(0);
  }

  /** True when the router knows the prompt is poorly covered by its training data (see {@link Support}). */
  public boolean lowSupport() {
    return support != null && support.low();
  }
}
