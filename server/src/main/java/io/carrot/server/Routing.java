package io.carrot.server;

import io.carrot.api.DecisionJson;
import io.carrot.api.CarrotRouter;
import io.carrot.core.predict.Prediction;
import io.carrot.core.route.Decision;
import io.carrot.core.route.Support;
import io.carrot.server.auth.Budgets;
import io.carrot.server.auth.Client;
import io.carrot.server.log.LogEntry;
import io.carrot.server.policy.ModelSpec;
import io.carrot.server.policy.Routed;
import io.carrot.server.policy.RoutingPolicy;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The routing step of a request: embed, predict, decide; timed, counted and written to the log entry. */
final class Routing {
  private final CarrotRouter router;
  private final RoutingPolicy policy;
  private final Budgets budgets;
  private final ServerMetrics metrics;
  private final boolean storePrompts;

  Routing(CarrotRouter router, RoutingPolicy policy, Budgets budgets, ServerMetrics metrics, boolean storePrompts) {
    this.router = router;
    this.policy = policy;
    this.budgets = budgets;
    this.metrics = metrics;
    this.storePrompts = storePrompts;
  }

  Routed route(String routedText, String allText, ModelSpec spec, Client client, LogEntry.Builder log) {
    long t0 = System.nanoTime();
    float[] v = router.embedder().embed(routedText);
    long t1 = System.nanoTime();
    Prediction p = router.router().predictor().predict(v);
    Support.Level support = router.router().support().map(s -> s.level(v)).orElse(null);
    int inputTokens = router.tokenCounter().count(allText);
    Routed r = policy.decide(spec, routedText, client.id(), p, support, inputTokens, mu -> budgets.pressure(client, mu));
    long t2 = System.nanoTime();
    metrics.embedding.observe((t1 - t0) / 1e9);
    metrics.router.observe((t2 - t0) / 1e9);
    metrics.decisions.inc(r.decision().model(), r.policy());
    log.routerMs = (t2 - t0) / 1e6;
    log.policy = r.policy();
    log.mu = r.decision().mu();
    log.inputTokens = (double) inputTokens;
    log.decisionJson = DecisionJson.of(r.decision()).toString();
    log.chosenModel = r.decision().model();
    log.promptSha256 = sha256(routedText);
    if (storePrompts) {
      log.prompt = routedText;
    }
    return r;
  }

  /**
   * The decision's support as response headers: {@code x-carrot-support} (the percentile in [0, 1])
   * and, when low, {@code x-carrot-low-support: true}; none when the router has no support section.
   */
  static void supportHeaders(Context ctx, Decision d) {
    if (d.support() != null) {
      ctx.header("x-carrot-support", String.format(java.util.Locale.ROOT, "%.4f", d.support().percentile()));
      if (d.support().low()) {
        ctx.header("x-carrot-low-support", "true");
      }
    }
  }

  /** Tokens of {@code text} by the router's token counter (what routing counts as input). */
  int countTokens(String text) {
    return router.tokenCounter().count(text);
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
