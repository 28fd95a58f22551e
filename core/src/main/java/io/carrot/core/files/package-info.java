/**
 * Low-level storage helpers shared by every layer: atomic file writes, float32 matrices, the one
 * configured Jackson mapper. Depends on nothing else in core, so that {@code data} can read files
 * without depending on the router file format in {@code io}.
 */
package io.carrot.core.files;
