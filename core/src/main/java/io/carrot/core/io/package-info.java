/**
 * The versioned router file and the per-estimator codecs that write and read fitted predictors.
 * Low-level helpers (atomic writes, float32 matrices, JSON) live in {@link io.carrot.core.files}.
 */
package io.carrot.core.io;
