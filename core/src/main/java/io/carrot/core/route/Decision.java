package io.carrot.core.route;

import java.util.List;

/**
 * The routing decision for one prompt.
 *
 * @param model the chosen model (the first candidate)
 * @param mu the trade-off used
 * @param inputTokens input tokens counted for the prompt
 * @param candidates every allowed model, best score first
 * @param notes why the decision departs from the plain rule, for the user (e.g. a model skipped
 *     because the prompt exceeds its context window, or no model reaching a quality floor); empty
 *     when it does not
 */
public record Decision(String model, double mu, double inputTokens, List<Candidate> candidates, List<String> notes) {
  /** A decision of the plain rule, without notes. */
  public Decision(String model, double mu, double inputTokens, List<Candidate> candidates) {
    this(model, mu, inputTokens, candidates, List.of());
  }

  /** Copies the candidates and notes. */
  public Decision {
    candidates = List.copyOf(candidates);
    notes = notes == null ? List.of() : List.copyOf(notes);
  }

  /** The same decision with one more note. */
  public Decision withNote(String note) {
    List<String> n = new java.util.ArrayList<>(notes);
    n.add(note);
    return new Decision(model, mu, inputTokens, candidates, n);
  }

  /** The chosen model's candidate entry. */
  public Candidate chosen() {
    return candidates.get(0);
  }
}
