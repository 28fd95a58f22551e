package io.carrot.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.files.Json;
import io.carrot.core.route.Candidate;
import io.carrot.core.route.Decision;

/** A decision as JSON: the one shape of {@code carrot route --json}, {@code POST /v1/route} and the decision log. */
public final class DecisionJson {
  private DecisionJson() {}

  /** {@code {"model", "mu", "input_tokens", "candidates": [{"model", "quality", "output_tokens", "cost_usd", "score"}]}}, candidates best first; plus {@code "notes"} when the decision departs from the plain rule. */
  public static ObjectNode of(Decision d) {
    ObjectNode o = Json.COMPACT.createObjectNode();
    o.put("model", d.model());
    o.put("mu", d.mu());
    o.put("input_tokens", (long) d.inputTokens());
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
