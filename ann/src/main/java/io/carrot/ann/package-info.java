/**
 * Approximate nearest-neighbour search for large KNN training stores: an HNSW graph (built with
 * Lucene's in-memory HNSW builder) behind core's {@link io.carrot.core.index.VectorIndex}
 * contract, registered as the {@code hnsw} {@link io.carrot.core.index.VectorIndexFactory}. With
 * this module on the classpath, KNN routers above the size threshold search it automatically.
 */
package io.carrot.ann;
