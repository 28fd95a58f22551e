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
import io.carrot.server.upstream.Api;
import io.carrot.server.upstream.SseRelay;
import io.carrot.server.upstream.Upstream;
import io.carrot.server.upstream.UpstreamClient;
import io.carrot.server.upstream.UpstreamResult;
import io.carrot.server.upstream.UpstreamResult.Reason;
import io.carrot.server.upstream.Usage;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/chat/completions}, {@code POST /v1/responses} and {@code POST /v1/embeddings}:
 * authenticate, validate, route (embeddings are passed through by name), then try the candidates in
 * order until one answers.
 *
 * <p>Fallback: a connect error, a time-out ({@code timeouts}), a retryable status
 * ({@link io.carrot.core.retry.RetryPolicy#retryable(int)}), a 401/403 (carrot's own key for that
 * upstream is wrong) or a stream that fails before its first line moves on to the next candidate,
 * at most {@code max_attempts} attempts in all. Once a byte has been sent to the client there is no
 * fallback: a stream that then fails ends with an error event. Any other upstream status (a 4xx
 * about the request) is passed to the client unchanged. Once the client has gone, the running
 * attempt is cancelled and nothing further is tried.
 */
final class ChatProxy {
  private static final Logger LOG = LoggerFactory.getLogger(ChatProxy.class);
  /** Status in the decision log of a request whose client left (nginx's "client closed request"). */
  static final int CLIENT_CLOSED = 499;

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

  /** One request in flight: what was asked, for whom, and where its row goes. */
  private record Call(
      Context ctx, Api api, ChatRequest req, BudgetPacer pacer, LogEntry.Builder log, ClientWatch watch, Budgets.Reservation held) {}

  void chat(Context ctx) {
    handle(ctx, Api.CHAT);
  }

  void responses(Context ctx) {
    handle(ctx, Api.RESPONSES);
  }

  void embeddings(Context ctx) {
    handle(ctx, Api.EMBEDDINGS);
  }

  private void handle(Context ctx, Api api) {
    LogEntry.Builder log = requests.begin(ctx, api.id());
    ClientWatch watch = null;
    Budgets.Reservation held = null;
    try {
      Client c = keys.authenticate(ctx.header("Authorization"));
      log.keyId = c.id();
      try (Budgets.Slot slot = budgets.admit(c)) {
        ObjectNode body = Http.readObject(ctx, maxBody);
        ChatRequest req = switch (api) {
          case CHAT -> ChatRequest.parse(body);
          case RESPONSES -> ApiBodies.responses(body);
          case EMBEDDINGS -> ApiBodies.embeddings(body);
        };
        log.requestedModel = req.model();
        log.stream = req.stream();
        ModelSpec spec = ModelSpec.parse(req.model(), upstreams.keySet());
        if (api == Api.EMBEDDINGS && !(spec instanceof ModelSpec.Passthrough)) {
          throw ApiError.badRequest("model", "embeddings are not routed: name an upstream that serves embeddings, one of " + serving(api));
        }
        budgets.check(c);
        Double remaining = budgets.remaining(c);
        if (remaining != null) {
          ctx.header("x-carrot-budget-remaining-usd", fmt(remaining));
        }
        List<Target> targets = new ArrayList<>();
        BudgetPacer pacer = null;
        double predicted;
        if (spec instanceof ModelSpec.Passthrough p) {
          Upstream u = upstreams.get(p.upstream());
          if (!u.serves().contains(api)) {
            throw ApiError.badRequest("model", "upstream '" + u.name() + "' does not serve the " + api.id() + " API (upstreams."
                + u.name() + ".serves); upstreams that do: " + serving(api));
          }
          log.policy = "passthrough";
          log.promptSha256 = Routing.sha256(req.routedText());
          log.prompt = storePrompts ? req.routedText() : null;
          log.inputTokens = (double) routing.countTokens(req.allText());
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
            Upstream u = upstreams.get(cand.model());
            if (u.serves().contains(api)) {
              targets.add(new Target(u, cand));
            }
          }
          if (targets.isEmpty()) {
            throw ApiError.badRequest("model", "no routable upstream serves the " + api.id() + " API; set upstreams.NAME.serves");
          }
          predicted = targets.get(0).candidate().costUsd();
        }
        held = budgets.reserve(c, predicted);
        watch = ClientWatch.start(ctx, client.scheduler());
        serve(new Call(ctx, api, req, pacer, log, watch, held), targets);
      }
    } catch (RuntimeException e) {
      requests.fail(ctx, log, e);
      throw e;
    } finally {
      if (watch != null) {
        watch.close();
        if (watch.pipelined()) {
          ctx.header("Connection", "close");
        }
      }
      if (held != null) {
        held.settle(0);
      }
      requests.end(ctx, log);
    }
  }

  /**
   * The output tokens a passthrough request allows ({@code max_completion_tokens},
   * {@code max_output_tokens} or {@code max_tokens}), else 0.
   */
  private static double maxOutputTokens(ChatRequest req) {
    for (String f : new String[] {"max_completion_tokens", "max_output_tokens", "max_tokens"}) {
      JsonNode n = req.body().path(f);
      if (n.canConvertToLong() && n.asLong() > 0) {
        return n.asLong();
      }
    }
    return 0;
  }

  private List<String> serving(Api api) {
    return upstreams.values().stream().filter(u -> u.serves().contains(api)).map(Upstream::name).toList();
  }

  /** Tries the targets in order until one answers, the client leaves or the attempts run out. */
  private void serve(Call call, List<Target> targets) {
    LogEntry.Builder log = call.log();
    ArrayNode attempts = Json.COMPACT.createArrayNode();
    List<UpstreamResult.Failed> failures = new ArrayList<>();
    int tries = Math.min(maxAttempts, targets.size());
    for (int i = 0; i < tries; i++) {
      Target t = targets.get(i);
      Upstream u = t.upstream();
      if (call.watch().gone()) {
        // left between two attempts: nothing was sent to this one, nothing is charged
        clientGone(call, null);
        return;
      }
      if (t.candidate() != null) {
        call.held().adjust(t.candidate().costUsd());
      }
      byte[] body = call.req().bodyFor(u.model(), call.api() == Api.CHAT && u.injectStreamUsage());
      UpstreamResult res = client.send(u, call.api(), body, call.req().stream(), call.watch()::onGone);
      metrics.upstream.observe(res.nanos() / 1e9, u.name());
      ObjectNode a = attempts.addObject().put("model", u.name()).put("ms", res.nanos() / 1e6);
      log.attemptsJson = attempts.toString();
      if (res instanceof UpstreamResult.Streaming s) {
        SseRelay relay = new SseRelay(s.body(), call.api(), !call.req().includeUsage());
        try {
          relay.readFirst();
        } catch (IOException e) {
          closeQuietly(s.body());
          res = call.watch().gone()
              ? new UpstreamResult.Failed(Reason.CLIENT_GONE, "the client closed the connection", s.nanos())
              : new UpstreamResult.Failed(
                  s.body().tripped() != null ? Reason.TIMEOUT : Reason.STREAM_BROKEN,
                  "the stream failed before its first event: " + e.getMessage(), s.nanos());
        }
        if (!(res instanceof UpstreamResult.Failed)) {
          a.put("outcome", "answered").put("status", s.response().statusCode());
          log.attemptsJson = attempts.toString();
          answered(call.ctx(), t, log, i, res.nanos(), s.response().headers());
          relay(call, s, relay, t);
          return;
        }
      }
      if (res instanceof UpstreamResult.Failed f && f.reason() != Reason.CLIENT_GONE && call.watch().gone()) {
        // whatever the attempt's own failure, it ended because the client left
        res = new UpstreamResult.Failed(Reason.CLIENT_GONE, "the client closed the connection", f.nanos());
      }
      switch (res) {
        case UpstreamResult.Failed f when f.reason() == Reason.CLIENT_GONE -> {
          a.put("outcome", f.reason().code());
          log.attemptsJson = attempts.toString();
          clientGone(call, t);
          return;
        }
        case UpstreamResult.Failed f -> {
          a.put("outcome", f.reason().code()).put("status", f.status()).put("detail", f.detail());
          log.attemptsJson = attempts.toString();
          failures.add(f);
          metrics.fallbacks.inc(u.name(), f.reason().code());
          LOG.warn("request {}: upstream {} failed ({}){}", log.requestId, u.name(), f.detail(),
              i + 1 < tries ? ", trying " + targets.get(i + 1).upstream().name() : "");
        }
        case UpstreamResult.Answered ans -> {
          a.put("outcome", ans.status() / 100 == 2 ? "answered" : "http_" + ans.status()).put("status", ans.status());
          log.attemptsJson = attempts.toString();
          answered(call.ctx(), t, log, i, res.nanos(), ans.headers());
          complete(call, ans, t);
          return;
        }
        case UpstreamResult.Streaming s -> throw new IllegalStateException("handled above: " + s);
      }
    }
    log.fallbacks = Math.max(0, tries - 1);
    throw allFailed(call.ctx(), targets, failures);
  }

  /**
   * The 502 when every attempt failed: each attempt's model, status and reason, no upstream body;
   * {@code Retry-After} when every upstream asked for a wait (the shortest, in whole seconds).
   */
  private static ApiError allFailed(Context ctx, List<Target> targets, List<UpstreamResult.Failed> failures) {
    ArrayNode list = Json.COMPACT.createArrayNode();
    List<String> parts = new ArrayList<>();
    boolean allAuth = true;
    Duration wait = null;
    boolean allWait = true;
    for (int i = 0; i < failures.size(); i++) {
      UpstreamResult.Failed f = failures.get(i);
      String model = targets.get(i).upstream().name();
      ObjectNode o = list.addObject().put("model", model);
      if (f.status() > 0) {
        o.put("status", f.status());
      } else {
        o.putNull("status");
      }
      o.put("reason", f.reason().code());
      parts.add(model + ": " + f.detail());
      allAuth &= f.reason() == Reason.UPSTREAM_AUTH;
      Optional<Duration> ra = f.retryAfter();
      allWait &= ra.isPresent();
      if (ra.isPresent() && (wait == null || ra.get().compareTo(wait) < 0)) {
        wait = ra.get();
      }
    }
    if (allWait && wait != null) {
      ctx.header("Retry-After", Long.toString((wait.toMillis() + 999) / 1000));
    }
    String n = failures.size() + " attempt" + (failures.size() == 1 ? "" : "s");
    if (allAuth) {
      return ApiError.badGateway("upstream_auth_failed",
          "the upstream refused carrot's own API key for it (" + n + "): " + String.join("; ", parts)
              + "; this is the server's configuration, not your key", list);
    }
    return ApiError.badGateway("upstream_failed", "every upstream failed (" + n + "): " + String.join("; ", parts), list);
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
  private void complete(Call call, UpstreamResult.Answered ans, Target t) {
    LogEntry.Builder log = call.log();
    log.status = ans.status();
    if (ans.status() / 100 == 2) {
      Usage usage = Usage.NONE;
      long counted = 0;
      try {
        JsonNode n = Json.COMPACT.readTree(ans.body());
        if (n != null) {
          if (n.path("id").isTextual()) {
            log.completionId = n.get("id").asText();
          }
          usage = Usage.of(n.path("usage"), call.api());
          if (t.candidate() == null && !usage.reported()) {
            counted = countAnswer(n);
          }
        }
      } catch (IOException e) {
        log.error = "the upstream's answer is not JSON";
      }
      charge(call, t, usage, null, counted);
    } else {
      log.error = "upstream " + t.upstream().name() + " answered HTTP " + ans.status();
    }
    String type = ans.headers().firstValue("content-type").orElse("application/json");
    call.ctx().status(ans.status()).contentType(type).result(ans.body());
  }

  /**
   * The tokens of a non-streamed answer's text (chat {@code choices[].message.content}, responses
   * {@code output[].content[].text}), counted (for answers without usage).
   */
  private long countAnswer(JsonNode answer) {
    StringBuilder text = new StringBuilder();
    for (JsonNode choice : answer.path("choices")) {
      JsonNode content = choice.path("message").path("content");
      if (content.isTextual()) {
        text.append(content.asText());
      }
    }
    for (JsonNode item : answer.path("output")) {
      for (JsonNode part : item.path("content")) {
        if (part.path("text").isTextual()) {
          text.append(part.get("text").asText());
        }
      }
    }
    return text.isEmpty() ? 0 : routing.countTokens(text.toString());
  }

  /**
   * Streams an answer through; a stream that fails midway ends with an error event. A whole
   * stream's row is stored, and its cost charged, just before its end marker reaches the client;
   * an incomplete one is charged what was delivered when it ends.
   */
  private void relay(Call call, UpstreamResult.Streaming s, SseRelay relay, Target t) {
    LogEntry.Builder log = call.log();
    HttpServletResponse res = call.ctx().res();
    res.setStatus(s.response().statusCode());
    res.setContentType(s.response().headers().firstValue("content-type").orElse("text/event-stream"));
    res.setHeader("Cache-Control", "no-cache");
    log.status = s.response().statusCode();
    OutputStream out = null;
    try {
      out = res.getOutputStream();
      relay.pump(out, () -> {
        log.completionId = relay.completionId();
        charge(call, t, relay.usage(), null, 0);
        requests.store(call.ctx(), log);
      });
    } catch (SseRelay.ClientGoneException e) {
      log.status = CLIENT_CLOSED;
      log.failureReason = Reason.CLIENT_GONE.code();
      log.error = "the client closed the stream after " + relay.bytesOut() + " bytes";
    } catch (SseRelay.UpstreamBrokenException e) {
      boolean timeout = e.code().equals("timeout");
      log.status = timeout ? 504 : 502;
      log.failureReason = timeout ? "upstream_stalled" : Reason.STREAM_BROKEN.code();
      log.error = "upstream " + t.upstream().name() + " " + (timeout ? "stalled" : "broke the stream") + " after "
          + relay.bytesOut() + " bytes: " + e.getMessage();
      metrics.fallbacks.inc(t.upstream().name(), timeout ? Reason.TIMEOUT.code() : Reason.STREAM_BROKEN.code());
      LOG.warn("request {}: {}", log.requestId, log.error);
      try {
        relay.writeError(out, "the upstream model failed in the middle of its answer (" + e.getMessage() + "); the answer is incomplete",
            timeout ? "upstream_timeout" : "upstream_stream_broken");
      } catch (IOException gone) {
        log.error += "; the client had gone too";
      }
    } catch (IOException e) {
      log.status = CLIENT_CLOSED;
      log.failureReason = Reason.CLIENT_GONE.code();
      log.error = "cannot write to the client: " + e.getMessage();
    } finally {
      closeQuietly(s.body());
      if (!call.held().settled()) {
        log.completionId = relay.completionId();
        charge(call, t, relay.usage(), (long) routing.countTokens(relay.deliveredText()), 0);
      }
    }
  }

  /**
   * The client left before an answer: the running attempt (at {@code t}, or null when none was
   * running) was cancelled; its input, which the upstream has received, is charged.
   */
  private void clientGone(Call call, Target t) {
    LogEntry.Builder log = call.log();
    log.status = CLIENT_CLOSED;
    log.failureReason = Reason.CLIENT_GONE.code();
    log.error = "the client closed the connection before the answer; the upstream call was cancelled";
    log.answeredModel = null;
    if (t != null) {
      charge(call, t, Usage.NONE, 0L, 0);
    }
  }

  /**
   * Charges an answer to the key's budget (settling its reservation) and, for a whole answer, to its
   * budget stream's pacer.
   *
   * <p>The cost, in order of preference: the usage the upstream reported (sanitized, {@link Usage}),
   * at the upstream's price; for an incomplete answer (a broken or stalled stream, a client that
   * left: {@code delivered} not null), the input tokens counted and the {@code delivered} output
   * tokens counted; the prediction of a routed answer; the input and {@code countedOutput} tokens
   * counted for a passthrough answer.
   */
  private void charge(Call call, Target t, Usage usage, Long delivered, long countedOutput) {
    LogEntry.Builder log = call.log();
    String model = t.upstream().name();
    boolean whole = delivered == null;
    log.actualInputTokens = usage.inputTokens();
    log.actualOutputTokens = usage.outputTokens();
    log.deliveredOutputTokens = delivered;
    if (whole) {
      metrics.answers.inc(model);
      if (t.candidate() != null) {
        metrics.predictedCost.add(t.candidate().costUsd(), model);
      }
    }
    double countedInput = log.inputTokens != null ? log.inputTokens : routing.countTokens(call.req().allText());
    double usd;
    if (usage.reported()) {
      long in = usage.inputTokens() == null ? 0 : usage.inputTokens();
      long out = usage.outputTokens() == null ? 0 : usage.outputTokens();
      usd = t.upstream().price().cost(in, out);
      log.actualCostUsd = usd;
      metrics.actualCost.add(usd, model);
      if (t.candidate() != null) {
        metrics.actualCostPredicted.add(t.candidate().costUsd(), model);
      }
    } else if (!whole) {
      usd = t.upstream().price().cost(countedInput, delivered);
    } else if (t.candidate() != null) {
      usd = t.candidate().costUsd();
    } else {
      usd = t.upstream().price().cost(countedInput, countedOutput);
    }
    log.chargedUsd = usd;
    call.held().settle(usd);
    if (call.pacer() != null && whole) {
      call.pacer().record(usd);
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
