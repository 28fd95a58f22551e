/**
 * Evaluation on a dataset split: ground-truth arrays ({@link io.carrot.core.eval.EvalSet}), routers
 * and baselines as curves of operating points ({@link io.carrot.core.eval.RouterCurve}), and the
 * whole experiment of the paper on one dataset ({@link io.carrot.core.eval.EvaluationHarness}).
 * The metrics themselves live in {@link io.carrot.core.metrics}.
 */
package io.carrot.core.eval;
