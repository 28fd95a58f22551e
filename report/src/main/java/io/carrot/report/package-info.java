/**
 * Writes what an evaluation measured ({@link io.carrot.core.eval.EvalReport}) for people and tools:
 * {@code metrics.json} (a versioned contract other tools read), {@code frontier.csv}, {@code
 * report.md} and PNG plots (XChart), and the cross-dataset {@code RESULTS.md}.
 */
package io.carrot.report;
