package io.carrot.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.api.CarrotRouter;
import io.carrot.api.DecisionJson;
import io.carrot.core.Version;
import io.carrot.core.files.Json;
import io.carrot.server.auth.Client;
import io.carrot.server.auth.ClientKeys;
import io.carrot.server.log.DecisionLog;
import io.carrot.server.log.LogEntry;
import io.carrot.server.policy.ModelSpec;
import io.carrot.server.policy.Routed;
import io.carrot.server.upstream.Upstream;
import io.carrot.server.auth.Budgets;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/** The endpoints besides chat completions: route, models, feedback, health, metrics. */
final class Endpoints {
  private final ClientKeys keys;
  private final CarrotRouter router;
  private final Set<String> routable;
  private final Routing routing;
  private final Map<String, Upstream> upstreams;
  private final DecisionLog log;
  private final ServerMetrics metrics;
  private final Requests requests;
  private final long maxBody;
  private final Budgets budgets;
  private final String metricsKeySha256;
  private final BooleanSupplier draining;
  private final long startedAt = System.currentTimeMillis() / 1000;

  Endpoints(
      ClientKeys keys, CarrotRouter router, Set<String> routable, Routing routing, Map<String, Upstream> upstreams,
      DecisionLog log, ServerMetrics metrics, Requests requests, long maxBody, Budgets budgets, String metricsKeySha256,
      BooleanSupplier draining) {
    this.keys = keys;
    this.router = router;
    this.routable = routable;
    this.routing = routing;
    this.upstreams = upstreams;
    this.log = log;
    this.metrics = metrics;
    this.requests = requests;
    this.maxBody = maxBody;
    this.budgets = budgets;
    this.metricsKeySha256 = metricsKeySha256;
    this.draining = draining;
  }

  /**
   * {@code POST /v1/route}: the decision only. Body: {@code {"prompt": "..."}} or {@code {"messages":
   * [...]}}, optional {@code "model"} ({@code carrot} or {@code carrot:KNOB=VALUE}). Answers the
   * JSON of {@code carrot route --json}.
   */
  void route(Context ctx) {
    LogEntry.Builder entry = requests.begin(ctx, "route");
    try {
      Client c = keys.authenticate(ctx.header("Authorization"));
      entry.keyId = c.id();
      ObjectNode body = Http.readObject(ctx, maxBody);
      JsonNode model = body.path("model");
      String m = model.isMissingNode() || model.isNull() ? ModelSpec.CARROT : model.asText();
      entry.requestedModel = m;
      if (!model.isMissingNode() && !model.isNull() && !model.isTextual()) {
        throw ApiError.badRequest("model", "'model' must be a string such as 'carrot:mu=0.2'");
      }
      ModelSpec spec = ModelSpec.parse(m, upstreams.keySet());
      if (spec instanceof ModelSpec.Passthrough) {
        throw ApiError.badRequest("model", "/v1/route decides between models: 'model' must be 'carrot' or 'carrot:KNOB=VALUE', got '" + m + "'");
      }
      String routed;
      String all;
      JsonNode prompt = body.get("prompt");
      if (prompt != null && !prompt.isNull()) {
        if (!prompt.isTextual()) {
          throw ApiError.badRequest("prompt", "'prompt' must be a string");
        }
        routed = prompt.asText();
        all = routed;
      } else if (body.has("messages")) {
        ObjectNode chat = body.deepCopy();
        chat.put("model", m);
        ChatRequest req = ChatRequest.parse(chat);
        routed = req.routedText();
        all = req.allText();
      } else {
        throw ApiError.badRequest("prompt", "send 'prompt' (a string) or 'messages' (a chat completion's messages)");
      }
      Routed r = routing.route(routed, all, spec, c, entry);
      Routing.supportHeaders(ctx, r.decision());
      if (!r.constraintMet()) {
        ctx.header("x-carrot-constraint-met", "false");
      }
      Http.json(ctx, 200, DecisionJson.of(r.decision()));
    } catch (RuntimeException e) {
      requests.fail(ctx, entry, e);
      throw e;
    } finally {
      requests.end(ctx, entry);
    }
  }

  /** {@code GET /v1/models}: {@code carrot} and every upstream, in the OpenAI list shape. */
  void models(Context ctx) {
    keys.authenticate(ctx.header("Authorization"));
    ObjectNode o = Json.COMPACT.createObjectNode();
    o.put("object", "list");
    ArrayNode data = o.putArray("data");
    data.addObject().put("id", ModelSpec.CARROT).put("object", "model").put("created", startedAt).put("owned_by", "carrot");
    for (Upstream u : upstreams.values()) {
      data.addObject().put("id", u.name()).put("object", "model").put("created", startedAt)
          .put("owned_by", routable.contains(u.name()) ? "carrot-routed" : "carrot-passthrough");
    }
    Http.json(ctx, 200, o);
  }

  /** {@code POST /v1/feedback {"request_id", "score"}}: stores a quality grade in [0, 1]. */
  void feedback(Context ctx) {
    Client c = keys.authenticate(ctx.header("Authorization"));
    ObjectNode body = Http.readObject(ctx, maxBody);
    JsonNode id = body.get("request_id");
    if (id == null || !id.isTextual() || id.asText().isBlank()) {
      throw ApiError.badRequest("request_id", "'request_id' must be the x-carrot-request-id or the completion id of a request");
    }
    JsonNode score = body.get("score");
    if (score == null || !score.isNumber() || !(score.asDouble() >= 0 && score.asDouble() <= 1)) {
      throw ApiError.badRequest("score", "'score' must be a number in [0, 1], got " + (score == null ? "nothing" : score.toString()));
    }
    DecisionLog.StoredRequest r = log.find(id.asText())
        .filter(x -> !keys.enabled() || x.keyId().equals(c.id()))
        .orElseThrow(() -> ApiError.notFound("request_not_found", "no request with id '" + id.asText() + "' for this API key"));
    log.feedback(r.requestId(), score.asDouble());
    ObjectNode o = Json.COMPACT.createObjectNode();
    o.put("object", "feedback").put("request_id", r.requestId()).put("score", score.asDouble());
    Http.json(ctx, 200, o);
  }

  /**
   * {@code GET /health}: {@code ok}, or {@code degraded} with {@code reasons} when the decision log's
   * writer is failing or behind, the budget ledger cannot be reached, or the server is draining (then
   * with status 503, so load balancers stop sending requests here).
   */
  void health(Context ctx) {
    List<String> reasons = new ArrayList<>();
    boolean closing = draining.getAsBoolean();
    if (closing) {
      reasons.add("draining: the server is shutting down and refuses new requests");
    }
    reasons.addAll(log.health());
    reasons.addAll(budgets.health());
    ObjectNode o = Json.COMPACT.createObjectNode();
    o.put("status", reasons.isEmpty() ? "ok" : "degraded");
    if (!reasons.isEmpty()) {
      ArrayNode a = o.putArray("reasons");
      reasons.forEach(a::add);
    }
    o.put("version", Version.CURRENT);
    ObjectNode r = o.putObject("router");
    r.put("dataset", router.router().provenance().dataset());
    r.put("embedder", router.embedder().id());
    r.put("models", router.models().size());
    r.put("routable", routable.size());
    o.put("upstreams", upstreams.size());
    o.put("log", log.describe());
    Http.json(ctx, closing ? 503 : 200, o);
  }

  /** {@code GET /metrics}: Prometheus text format; needs {@code Bearer KEY} when {@code metrics.key_sha256} is set. */
  void metrics(Context ctx) {
    if (metricsKeySha256 != null) {
      String auth = ctx.header("Authorization");
      String given = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : null;
      if (given == null || !MessageDigest.isEqual(
          ClientKeys.sha256(given).getBytes(StandardCharsets.US_ASCII), metricsKeySha256.getBytes(StandardCharsets.US_ASCII))) {
        throw ApiError.unauthorized("/metrics needs the metrics key: send 'Authorization: Bearer METRICS_KEY' (metrics.key_sha256)");
      }
    }
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.registry.render());
  }
}
