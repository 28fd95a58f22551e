/**
 * Every evaluation metric of the project, each defined exactly once: the achievable frontier of a
 * router ({@link io.carrot.core.metrics.Frontier}), normalized AUC, AIQ, PGR/APGR, CPT, cost to
 * match the best single model, quality at a cost fraction, RouterArena score, output-token MAE and
 * model-selection share ({@link io.carrot.core.metrics.MetricFormulas}), calibration of predicted quality
 * (reliability bins, ECE, Brier score: {@link io.carrot.core.metrics.Calibration}), and the
 * dataset-level anchors they are measured against ({@link io.carrot.core.metrics.Anchors}).
 *
 * <p>Pure functions of (cost, quality) points and (prediction, score) pairs: no I/O, no randomness.
 */
package io.carrot.core.metrics;
