package io.carrot.embed;

import io.carrot.core.CarrotException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Vectors of recently embedded texts in memory, bounded in bytes: when a new vector would exceed
 * the bound, the least recently used ones are dropped. For a server, where repeated prompts (a
 * retried request, a shared system prompt routed alone, a popular question) should not be embedded
 * twice, and memory must not grow with traffic. Nothing is written to disk.
 *
 * <p>A vector of d dimensions counts {@code 4 d + }{@value #ENTRY_OVERHEAD} bytes (its floats plus
 * the key and map entry). Thread-safe (one lock; a lookup is a hash-map access).
 */
public final class MemoryVectorCache implements VectorStore {

  /** Bytes counted per stored vector beyond its floats: the 32-byte key, the entry and array headers. */
  public static final int ENTRY_OVERHEAD = 112;

  private final long maxBytes;
  private final LinkedHashMap<EmbeddingCache.Key, float[]> vectors = new LinkedHashMap<>(256, 0.75f, true);
  private long bytes;
  private long evictions;
  private int dimension;

  /** @param maxBytes the bound; at least 1 */
  public MemoryVectorCache(long maxBytes) {
    if (maxBytes < 1) {
      throw new CarrotException("embedding cache size: " + maxBytes + " bytes; expected at least 1");
    }
    this.maxBytes = maxBytes;
  }

  /** The bound in bytes. */
  public long maxBytes() {
    return maxBytes;
  }

  @Override
  public synchronized float[] get(byte[] sha256) {
    float[] v = vectors.get(key(sha256));
    return v == null ? null : v.clone();
  }

  @Override
  public synchronized void putAll(byte[][] hashes, float[][] rows) {
    if (hashes.length != rows.length) {
      throw new CarrotException(
          "putAll: " + hashes.length + " hashes and " + rows.length + " vectors; expected equal counts");
    }
    for (int i = 0; i < rows.length; i++) {
      if (dimension == 0) {
        dimension = rows[i].length;
      } else if (rows[i].length != dimension) {
        throw new CarrotException("vectors[" + i + "]: length " + rows[i].length + "; expected " + dimension);
      }
      long size = 4L * rows[i].length + ENTRY_OVERHEAD;
      if (size > maxBytes) {
        evictions++; // a vector larger than the whole cache is not kept
        continue;
      }
      EmbeddingCache.Key key = key(hashes[i]);
      if (vectors.containsKey(key)) {
        continue;
      }
      Iterator<Map.Entry<EmbeddingCache.Key, float[]>> eldest = vectors.entrySet().iterator();
      while (bytes + size > maxBytes) {
        Map.Entry<EmbeddingCache.Key, float[]> e = eldest.next();
        bytes -= 4L * e.getValue().length + ENTRY_OVERHEAD;
        eldest.remove();
        evictions++;
      }
      vectors.put(key, rows[i].clone());
      bytes += size;
    }
  }

  @Override
  public synchronized int dimension() {
    return dimension;
  }

  @Override
  public synchronized int size() {
    return vectors.size();
  }

  @Override
  public synchronized long evictions() {
    return evictions;
  }

  @Override
  public synchronized long bytes() {
    return bytes;
  }

  @Override
  public synchronized void close() {
    vectors.clear();
    bytes = 0;
  }

  @Override
  public String toString() {
    return "MemoryVectorCache[" + size() + " vectors, " + bytes() + " of " + maxBytes + " bytes]";
  }

  private static EmbeddingCache.Key key(byte[] sha256) {
    if (sha256.length != EmbeddingCache.HASH_BYTES) {
      throw new CarrotException("sha256: " + sha256.length + " bytes; expected 32");
    }
    return EmbeddingCache.Key.of(sha256, 0);
  }
}
