/**
 * The estimator contract: a {@link io.carrot.core.predict.Predictor} maps an embedding to per-model
 * quality and output tokens ({@link io.carrot.core.predict.Prediction}), fitted from a {@link
 * io.carrot.core.predict.TrainingSet}. The families live in sub-packages ({@code knn}, {@code
 * linear}, {@code mlp}, {@code lowrank}, {@code blend}, {@code calibration}); the per-model
 * constant baseline stays here because blends fall back to it.
 */
package io.carrot.core.predict;
