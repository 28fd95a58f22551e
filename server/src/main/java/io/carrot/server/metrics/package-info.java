/** Counters and histograms rendered in the Prometheus text format for {@code GET /metrics}. */
package io.carrot.server.metrics;
