/**
 * Operating-point curves on an evaluation split: ground-truth arrays ({@link
 * io.carrot.core.curve.EvalSet}), a router swept over the willingness to pay ({@link
 * io.carrot.core.curve.RouterSweep}), and routers and baselines as curves ({@link
 * io.carrot.core.curve.RouterCurve}, oracle, random mix, zero router, single models, budgets).
 * Sits above {@code metrics} and below {@code train}, so that automatic estimator selection can
 * sweep candidates without depending on the evaluation harness.
 */
package io.carrot.core.curve;
