package io.carrot.core.route;

import java.util.List;

/**
 * The routing decision for one prompt.
 *
 * @param model the chosen model (the first candidate)
 * @param mu the trade-off used
 * @param inputTokens input tokens counted for the prompt
 * @param candidates every allowed model, best score first
 */
public record Decision(String model, double mu, double inputTokens, List<Candidate> candidates) {
  /** Copies the candidates. */
  public Decision {
    candidates = List.copyOf(candidates);
  }

  /** The chosen model's candidate entry. */
  public Candidate chosen() {
    return candidates.get(0);
  }
}
