/** Fitting a router from a dataset and its prompt embeddings. */
package io.carrot.core.train;
