/** Estimators of per-model quality and output tokens: the {@link io.carrot.core.predict.Predictor} contract, CARROT-KNN and its trainer, the similarity-weighted and empirical-Bayes KNN and theirs. */
package io.carrot.core.predict;
