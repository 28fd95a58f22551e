package io.carrot.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.files.Json;
import io.carrot.core.route.BudgetPacer;
import io.carrot.core.route.Candidate;
import io.carrot.server.auth.Budgets;
import io.carrot.server.auth.Client;
import io.carrot.server.auth.ClientKeys;
import io.carrot.server.log.LogEntry;
import io.carrot.server.policy.ModelSpec;
import io.carrot.server.policy.Routed;
import io.carrot.server.upstream.SseRelay;
import io.carrot.server.upstream.Upstream;
import io.carrot.server.upstream.UpstreamClient;
import io.carrot.server.upstream.UpstreamResult;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/chat/completions}: authenticate, validate, route, then try the candidates in
 * order until one answers.
 *
 * <p>Fallback: a connect error, a time-out before the response headers, a 429 or a 5xx moves on
 * to the next candidate, at most {@code max_attempts} attempts in all; so does a stream that ends
 * before its first line. Once a byte has been sent to the client there is no fallback. Any other
 * upstream status (a 4xx about the request) is passed to the client unchanged.
 */
final class ChatProxy {
  private static final Logger LOG = LoggerFactory.getLogger(ChatProxy.class);

  private final ClientKeys keys;
  private final Budgets budgets;
  private final Routing routing;
  private final Map<String, Upstream> upstreams;
  private final UpstreamClient client;
  private final ServerMetrics metrics;
  private final Requests requests;
  private final long maxBody;
  private final int maxAttempts;
  private final boolean storePrompts;

  ChatProxy(
      ClientKeys keys, Budgets budgets, Routing routing, Map<String, Upstream> upstreams, UpstreamClient client,
      ServerMetrics metrics, Requests requests, long maxBody, int maxAttempts, boolean storePrompts) {
    this.keys = keys;
    this.budgets = budgets;
    this.routing = routing;
    this.upstreams = upstreams;
    this.client = client;
    this.metrics = metrics;
    this.requests = requests;
    this.maxBody = maxBody;
    this.maxAttempts = maxAttempts;
    this.storePrompts = storePrompts;
  }

  /** A model to try, with its predictions when it came from the router. */
  private record Target(Upstream upstream, Candidate candidate) {}

  void handle(Context ctx) {
    LogEntry.Builder log = requests.begin(ctx, "chat");
    Budgets.Reservation held = null;
    try {
      Client c = keys.authenticate(ctx.header("Authorization"));
      log.keyId = c.id();
      try (Budgets.Slot slot = budgets.admit(c)) {
        ChatRequest req = ChatRequest.parse(Http.readObject(ctx, maxBody));
        log.requestedModel = req.model();
        log.stream = req.stream();
        ModelSpec spec = ModelSpec.parse(req.model(), upstreams.keySet());
        budgets.check(c);
        Double remaining = budgets.remaining(c);
        if (remaining != null) {
          ctx.header("x-carrot-budget-remaining-usd", fmt(remaining));
        }
        List<Target> targets = new ArrayList<>();
        BudgetPacer pacer = null;
        double predicted;
        if (spec instanceof ModelSpec.Passthrough p) {
          log.policy = "passthrough";
          log.promptSha256 = Routing.sha256(req.routedText());
          log.prompt = storePrompts ? req.routedText() : null;
          log.inputTokens = (double) routing.countTokens(req.allText());
          Upstream u = upstreams.get(p.upstream());
          targets.add(new Target(u, null));
          predicted = u.price().cost(log.inputTokens, maxOutputTokens(req));
        } else {
          Routed r = routing.route(req.routedText(), req.allText(), spec, c, log);
          ctx.header("x-carrot-policy", r.policy());
          ctx.header("x-carrot-mu", fmt(r.decision().mu()));
          Routing.supportHeaders(ctx, r.decision());
          if (!r.constraintMet()) {
            ctx.header("x-carrot-constraint-met", "false");
          }
          if (r.pacer() != null && r.pacer().requests() > 0) {
            ctx.header("x-carrot-budget-spent-per-1000", fmt(r.pacer().spentUsdPer1000()));
          }
          pacer = r.recordsTo();
          for (Candidate cand : r.decision().candidates()) {
            targets.add(new Target(upstreams.get(cand.model()), cand));
          }
          predicted = targets.get(0).candidate().costUsd();
        }
        held = budgets.reserve(c, predicted);
        serve(ctx, req, targets, pacer, log, held);
      }
    } catch (RuntimeException e) {
      requests.fail(ctx, log, e);
      throw e;
    } finally {
      if (held != null) {
        held.settle(0);
      }
      requests.end(ctx, log);
    }
  }

  /** The output tokens a passthrough request allows ({@code max_completion_tokens} or {@code max_tokens}), else 0. */
  private static double maxOutputTokens(ChatRequest req) {
    for (String f : new String[] {"max_completion_tokens", "max_tokens"}) {
      JsonNode n = req.body().path(f);
      if (n.canConvertToLong() && n.asLong() > 0) {
        return n.asLong();
      }
    }
    return 0;
  }

  /**
   * Tries the targets in order, holding the prediction of the one being tried; {@code pacer} (or
   * null) is told the answer's real cost.
   */
  private void serve(
      Context ctx, ChatRequest req, List<Target> targets, BudgetPacer pacer, LogEntry.Builder log,
      Budgets.Reservation held) {
    ArrayNode attempts = Json.COMPACT.createArrayNode();
    List<String> failures = new ArrayList<>();
    int tries = Math.min(maxAttempts, targets.size());
    for (int i = 0; i < tries; i++) {
      Target t = targets.get(i);
      Upstream u = t.upstream();
      if (t.candidate() != null) {
        held.adjust(t.candidate().costUsd());
      }
      byte[] body = req.bodyFor(u.model(), u.injectStreamUsage());
      UpstreamResult res = client.send(u, body, req.stream());
      metrics.upstream.observe(res.nanos() / 1e9, u.name());
      ObjectNode a = attempts.addObject().put("model", u.name()).put("ms", res.nanos() / 1e6);
      log.attemptsJson = attempts.toString();
      if (res instanceof UpstreamResult.Streaming s) {
        SseRelay relay = new SseRelay(s.response().body(), !req.includeUsage());
        try {
          relay.readFirst();
        } catch (IOException e) {
          closeQuietly(s.response().body());
          res = new UpstreamResult.Failed("stream_broken", "the stream ended before its first event: " + e.getMessage(), s.nanos());
        }
        if (!(res instanceof UpstreamResult.Failed)) {
          a.put("outcome", "answered");
          log.attemptsJson = attempts.toString();
          answered(ctx, t, log, i, res.nanos(), s.response().headers());
          relay(ctx, s, relay, t, pacer, log, held);
          return;
        }
      }
      switch (res) {
        case UpstreamResult.Failed f -> {
          a.put("outcome", f.reason()).put("detail", f.detail());
          log.attemptsJson = attempts.toString();
          failures.add(u.name() + ": " + f.detail());
          metrics.fallbacks.inc(u.name(), f.reason());
          LOG.warn("request {}: upstream {} failed ({}){}", log.requestId, u.name(), f.detail(),
              i + 1 < tries ? ", trying " + targets.get(i + 1).upstream().name() : "");
        }
        case UpstreamResult.Answered ans -> {
          a.put("outcome", ans.status() / 100 == 2 ? "answered" : "http_" + ans.status());
          log.attemptsJson = attempts.toString();
          answered(ctx, t, log, i, res.nanos(), ans.headers());
          complete(ctx, ans, t, pacer, log, held);
          return;
        }
        case UpstreamResult.Streaming s -> throw new IllegalStateException("handled above: " + s);
      }
    }
    log.fallbacks = Math.max(0, tries - 1);
    throw ApiError.badGateway("every upstream failed (" + tries + " attempt" + (tries == 1 ? "" : "s") + "): " + String.join("; ", failures));
  }

  /** Sets the x-carrot headers and the log fields of the answering target. */
  private void answered(Context ctx, Target t, LogEntry.Builder log, int fallbacks, long nanos, HttpHeaders upstreamHeaders) {
    log.answeredModel = t.upstream().name();
    log.fallbacks = fallbacks;
    log.upstreamMs = nanos / 1e6;
    log.priceInputPerMtok = t.upstream().price().inputPerMtok();
    log.priceOutputPerMtok = t.upstream().price().outputPerMtok();
    ctx.header("x-carrot-model", t.upstream().name());
    ctx.header("x-carrot-fallbacks", Integer.toString(fallbacks));
    if (t.candidate() != null) {
      Candidate cand = t.candidate();
      log.predictedQuality = cand.quality();
      log.predictedOutputTokens = cand.outputTokens();
      log.predictedCostUsd = cand.costUsd();
      ctx.header("x-carrot-predicted-quality", fmt(cand.quality()));
      ctx.header("x-carrot-predicted-cost-usd", fmt(cand.costUsd()));
      ctx.header("x-carrot-predicted-output-tokens", fmt(cand.outputTokens()));
    }
    for (Map.Entry<String, List<String>> h : upstreamHeaders.map().entrySet()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (name.equals("x-request-id") || name.startsWith("openai-") || name.startsWith("x-ratelimit-")) {
        for (String v : h.getValue()) {
          ctx.res().addHeader(name, v);
        }
      }
    }
  }

  /** Passes a complete (non-streamed) answer on. */
  private void complete(
      Context ctx, UpstreamResult.Answered ans, Target t, BudgetPacer pacer, LogEntry.Builder log, Budgets.Reservation held) {
    log.status = ans.status();
    if (ans.status() / 100 == 2) {
      long counted = 0;
      try {
        JsonNode n = Json.COMPACT.readTree(ans.body());
        if (n != null) {
          if (n.path("id").isTextual()) {
            log.completionId = n.get("id").asText();
          }
          JsonNode usage = n.path("usage");
          if (usage.path("prompt_tokens").canConvertToLong()) {
            log.actualInputTokens = usage.get("prompt_tokens").asLong();
          }
          if (usage.path("completion_tokens").canConvertToLong()) {
            log.actualOutputTokens = usage.get("completion_tokens").asLong();
          }
          if (t.candidate() == null && !usage.isObject()) {
            counted = countAnswer(n);
          }
        }
      } catch (IOException e) {
        log.error = "the upstream's answer is not JSON";
      }
      charge(t, pacer, log, held, counted);
    } else {
      log.error = "upstream " + t.upstream().name() + " answered HTTP " + ans.status();
    }
    String type = ans.headers().firstValue("content-type").orElse("application/json");
    ctx.status(ans.status()).contentType(type).result(ans.body());
  }

  /** The tokens of a non-streamed answer's message contents, counted (for answers without usage). */
  private long countAnswer(JsonNode completion) {
    StringBuilder text = new StringBuilder();
    for (JsonNode choice : completion.path("choices")) {
      JsonNode content = choice.path("message").path("content");
      if (content.isTextual()) {
        text.append(content.asText());
      }
    }
    return text.isEmpty() ? 0 : routing.countTokens(text.toString());
  }

  /**
   * Streams an answer through. Its row is stored, and its cost charged, just before the final
   * {@code data: [DONE]} reaches the client; a stream that ends otherwise is charged when it ends.
   */
  private void relay(
      Context ctx, UpstreamResult.Streaming s, SseRelay relay, Target t, BudgetPacer pacer, LogEntry.Builder log,
      Budgets.Reservation held) {
    HttpServletResponse res = ctx.res();
    res.setStatus(s.response().statusCode());
    res.setContentType(s.response().headers().firstValue("content-type").orElse("text/event-stream"));
    res.setHeader("Cache-Control", "no-cache");
    log.status = s.response().statusCode();
    try {
      OutputStream out = res.getOutputStream();
      relay.pump(out, () -> {
        streamCharged(relay, t, pacer, log, held);
        requests.store(ctx, log);
      });
    } catch (SseRelay.ClientGoneException e) {
      log.error = "the client closed the stream after " + relay.bytesOut() + " bytes";
    } catch (IOException e) {
      log.error = "upstream " + t.upstream().name() + " broke the stream after " + relay.bytesOut() + " bytes: " + e.getMessage();
      LOG.warn("request {}: {}", log.requestId, log.error);
    } finally {
      closeQuietly(s.response().body());
      streamCharged(relay, t, pacer, log, held);
    }
  }

  /** Takes a stream's id and usage into the log and charges it, once. */
  private void streamCharged(SseRelay relay, Target t, BudgetPacer pacer, LogEntry.Builder log, Budgets.Reservation held) {
    if (held.settled()) {
      return;
    }
    log.completionId = relay.completionId();
    log.actualInputTokens = relay.promptTokens();
    log.actualOutputTokens = relay.completionTokens();
    charge(t, pacer, log, held, 0);
  }

  /**
   * Charges an answer to the key's budget (settling its reservation) and to its budget stream's
   * pacer (when it has one). The cost, in order of preference: the usage the upstream reported, at
   * the upstream's price; the input counted and the output tokens delivered, when the relaying path
   * counted them ({@link LogEntry.Builder#deliveredOutputTokens}); the prediction of a routed answer;
   * the input and {@code countedOutput} tokens counted with the router's token counter for a
   * passthrough answer.
   */
  private void charge(Target t, BudgetPacer pacer, LogEntry.Builder log, Budgets.Reservation held, long countedOutput) {
    String model = t.upstream().name();
    metrics.answers.inc(model);
    if (t.candidate() != null) {
      metrics.predictedCost.add(t.candidate().costUsd(), model);
    }
    double countedInput = log.inputTokens == null ? 0 : log.inputTokens;
    double usd;
    if (log.actualInputTokens != null || log.actualOutputTokens != null) {
      long in = log.actualInputTokens == null ? 0 : Math.max(0, log.actualInputTokens);
      long out = log.actualOutputTokens == null ? 0 : Math.max(0, log.actualOutputTokens);
      usd = t.upstream().price().cost(in, out);
      log.actualCostUsd = usd;
      metrics.actualCost.add(usd, model);
      if (t.candidate() != null) {
        metrics.actualCostPredicted.add(t.candidate().costUsd(), model);
      }
    } else if (log.deliveredOutputTokens != null) {
      usd = t.upstream().price().cost(countedInput, Math.max(0, log.deliveredOutputTokens));
    } else if (t.candidate() != null) {
      usd = t.candidate().costUsd();
    } else {
      usd = t.upstream().price().cost(countedInput, countedOutput);
    }
    log.chargedUsd = usd;
    held.settle(usd);
    if (pacer != null) {
      pacer.record(usd);
    }
  }

  static String fmt(double d) {
    return Double.toString(d);
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // the attempt has failed already
    }
  }
}
