package io.carrot.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.io.Json;
import io.carrot.core.route.Candidate;
import io.carrot.core.route.Decision;

/** A decision as JSON: the shape of {@code carrot route --json} and of {@code POST /v1/route}. */
public final class DecisionJson {
  private DecisionJson() {}

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
    return o;
  }
}
