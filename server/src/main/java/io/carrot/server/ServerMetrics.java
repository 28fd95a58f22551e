package io.carrot.server;

import io.carrot.server.metrics.Metrics;
import io.carrot.server.policy.Pacers;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The server's metric families, registered once. */
final class ServerMetrics {
  final Metrics registry = new Metrics();
  final Metrics.Counter requests =
      registry.counter("carrot_requests_total", "Requests by endpoint and HTTP status.", "endpoint", "status");
  final Metrics.Counter decisions =
      registry.counter("carrot_decisions_total", "Routing decisions by chosen model and policy.", "model", "policy");
  final Metrics.Counter answers =
      registry.counter("carrot_answers_total", "Chat completions answered, by the upstream that answered.", "model");
  final Metrics.Counter fallbacks = registry.counter(
      "carrot_fallbacks_total",
      "Failed upstream attempts that moved on to the next candidate, by model and reason.", "model", "reason");
  final Metrics.Counter errors =
      registry.counter("carrot_errors_total", "Error responses by OpenAI error type.", "type");
  final Metrics.Counter predictedCost = registry.counter(
      "carrot_predicted_cost_usd_total", "Predicted cost of answered routed requests, USD.", "model");
  final Metrics.Counter actualCost = registry.counter(
      "carrot_actual_cost_usd_total", "Cost of answered requests from upstream-reported usage, USD.", "model");
  final Metrics.Counter actualCostPredicted = registry.counter(
      "carrot_actual_cost_predicted_usd_total",
      "Predicted cost of the answered routed requests that reported usage, USD (compare with carrot_actual_cost_usd_total).",
      "model");
  final Metrics.Histogram embedding = registry.histogram(
      "carrot_embedding_seconds", "Time to embed a prompt.", Metrics.LATENCY_BUCKETS);
  final Metrics.Histogram router = registry.histogram(
      "carrot_router_seconds", "Time to embed, predict and decide.", Metrics.LATENCY_BUCKETS);
  final Metrics.Histogram upstream = registry.histogram(
      "carrot_upstream_seconds", "Time until an upstream's response headers, per attempt.", Metrics.LATENCY_BUCKETS, "model");
  final Metrics.Histogram request = registry.histogram(
      "carrot_request_seconds", "Time until the last byte of the response.", Metrics.LATENCY_BUCKETS, "endpoint");

  final Metrics.Histogram durableWait = registry.histogram(
      "carrot_log_durable_wait_seconds", "Time an answer waited for its decision log row to be stored.", Metrics.LATENCY_BUCKETS);
  final Metrics.Counter durableTimeouts = registry.counter(
      "carrot_log_durable_timeouts_total", "Answers sent before their row was stored because log.durable_wait_ms passed.");

  /** Registers the paced budget streams' gauges. */
  ServerMetrics(Pacers pacers) {
    registry.gauge(
        "carrot_budget_spent_usd_per_1000",
        "Mean real spend per 1000 requests of each carrot:budget stream so far, by API key and budget (USD per 1000).",
        () -> streams(pacers, true), "key", "budget");
    registry.gauge(
        "carrot_budget_requests",
        "Requests recorded in each carrot:budget stream, by API key and budget (USD per 1000).",
        () -> streams(pacers, false), "key", "budget");
  }

  private static Map<List<String>, Double> streams(Pacers pacers, boolean spend) {
    Map<List<String>, Double> out = new HashMap<>();
    for (Pacers.Stream s : pacers.streams()) {
      long n = s.pacer().requests();
      if (n > 0) {
        out.put(List.of(s.keyId(), Double.toString(s.usdPer1000())), spend ? s.pacer().spentUsdPer1000() : n);
      }
    }
    return out;
  }
}
