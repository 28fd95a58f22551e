/**
 * Benchmarks: JMH benchmarks of KNN search (exact, HNSW) against store size, the routing decision
 * against model count, embedding throughput and end-to-end routing; {@link
 * io.carrot.bench.BenchRunner} runs them and writes CSV and plots; {@link io.carrot.bench.ScaleProbe}
 * measures a 1M-row store once (build time, latency percentiles, recall). None of it runs in
 * {@code ./mvnw verify} except a smoke test of the code paths.
 */
package io.carrot.bench;
