/** On-disk formats: the versioned router file, float32 matrices, atomic writes, JSON. */
package io.carrot.core.io;
