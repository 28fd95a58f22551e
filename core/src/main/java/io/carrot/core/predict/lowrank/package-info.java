/** The low-rank (projected) estimator: ridge on the top principal directions of the embeddings. */
package io.carrot.core.predict.lowrank;
