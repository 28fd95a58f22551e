/**
 * The whole experiment of the paper on one dataset ({@link io.carrot.core.eval.EvaluationHarness}):
 * options, report, knob checks and the new-model study. The curves it draws live in {@link
 * io.carrot.core.curve}, the metrics in {@link io.carrot.core.metrics}.
 */
package io.carrot.core.eval;
