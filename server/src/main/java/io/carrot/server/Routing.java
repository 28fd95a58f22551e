package io.carrot.server;

import io.carrot.api.DecisionJson;
import io.carrot.api.CarrotRouter;
import io.carrot.core.predict.Prediction;
import io.carrot.server.auth.Budgets;
import io.carrot.server.auth.Client;
import io.carrot.server.log.LogEntry;
import io.carrot.server.policy.ModelSpec;
import io.carrot.server.policy.Routed;
import io.carrot.server.policy.RoutingPolicy;
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
    int inputTokens = router.tokenCounter().count(allText);
    Routed r = policy.decide(spec, routedText, client.id(), p, inputTokens, mu -> budgets.pressure(client, mu));
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
