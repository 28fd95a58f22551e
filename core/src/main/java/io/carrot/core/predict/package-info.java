/** Estimators of per-model quality and output tokens: the {@link io.carrot.core.predict.Predictor} contract, CARROT-KNN and its trainer. */
package io.carrot.core.predict;
