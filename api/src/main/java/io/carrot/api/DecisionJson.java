package io.carrot.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.files.Json;
import io.carrot.core.route.Candidate;
import io.carrot.core.route.Decision;

/** A decision as JSON: the one shape of {@code carrot route --json}, {@code POST /v1/route} and the decision log. */
public final class DecisionJson {
  private DecisionJson() {}

  /**
   * {@code {"model", "mu", "input_tokens", "support", "low_support", "candidates": [{"model",
   * "quality", "output_tokens", "cost_usd", "score"}]}}, candidates best first; plus {@code "notes"}
   * when the decision departs from the plain rule. {@code support} is the prompt's support
   * percentile in [0, 1] and {@code low_support} its flag, both null when the router has no support
   * section; {@code support_weight} is the weight left on the estimator's prediction and {@code
   * support_similarity} the mean cosine similarity of the prompt's nearest training prompts.
   */
  public static ObjectNode of(Decision d) {
    ObjectNode o = Json.COMPACT.createObjectNode();
    o.put("model", d.model());
    o.put("mu", d.mu());
    o.put("input_tokens", (long) d.inputTokens());
    if (d.support() == null) {
      o.putNull("support");
      o.putNull("low_support");
    } else {
      o.put("support", d.support().percentile());
      o.put("low_support", d.support().low());
      o.put("support_weight", d.support().weight());
      o.put("support_similarity", d.support().similarity());
    }
    ArrayNode cands = o.putArray("candidates");
    for (Candidate c : d.candidates()) {
      ObjectNode x = cands.addObject();
      x.put("model", c.model());
      x.put("quality", c.quality());
      x.put("output_tokens", c.outputTokens());
      x.put("cost_usd", c.costUsd());
      x.put("score", c.score());
    }
    if (!d.notes().isEmpty()) {
      ArrayNode notes = o.putArray("notes");
      d.notes().forEach(notes::add);
    }
    return o;
  }
}
