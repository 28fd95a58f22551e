/**
 * Gradient-trained estimators: the linear models (ridge or logistic quality, raw or log-scale
 * tokens) and the multi-task MLP. They share one network representation and one training loop,
 * which is why they live together.
 */
package io.carrot.core.predict.network;
