package io.carrot.embed;

/**
 * Where a {@link CachingEmbedder} keeps the vectors of one embedder, keyed by the SHA-256 of the
 * text: {@link EmbeddingCache} (a file, every vector kept, for datasets) or {@link MemoryVectorCache}
 * (memory bounded in bytes, least recently used first out, for serving). Thread-safe.
 */
public interface VectorStore extends AutoCloseable {

  /** A copy of the vector stored for a text's SHA-256, or null. */
  float[] get(byte[] sha256);

  /** Stores vectors for texts given by their SHA-256s; hashes already stored are skipped. */
  void putAll(byte[][] hashes, float[][] rows);

  /** Vector length of the stored records; 0 while nothing is known. */
  int dimension();

  /** Vectors stored now. */
  int size();

  /** Vectors dropped to stay within a bound so far; 0 for a store without one. */
  default long evictions() {
    return 0;
  }

  /** Approximate memory held by the stored vectors, in bytes. */
  long bytes();

  @Override
  void close();
}
