/** Evaluation on a dataset split: ground-truth arrays, mu sweeps, baselines. */
package io.carrot.core.eval;
