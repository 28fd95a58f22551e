/**
 * CARROT-KNN and its variants: uniform-vote KNN, similarity-weighted and empirical-Bayes KNN, and
 * their trainers (which pick {@code k} and build the vector index).
 */
package io.carrot.core.predict.knn;
