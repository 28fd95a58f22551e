/**
 * Nearest-neighbour search over training embeddings: the {@link io.carrot.core.index.VectorIndex}
 * contract, the exact scan, and the {@link io.carrot.core.index.VectorIndexFactory} service through
 * which other modules (e.g. {@code carrot-ann}) plug in approximate indexes.
 */
package io.carrot.core.index;
