/**
 * Estimators of per-model quality and output tokens: the {@link io.carrot.core.predict.Predictor}
 * contract, CARROT-KNN and its trainer, the similarity-weighted and empirical-Bayes KNN, linear
 * models (ridge or logistic quality, raw or log-scale tokens), the multi-task MLP and its trainer,
 * and the blends, projections and calibration built on them.
 */
package io.carrot.core.predict;
