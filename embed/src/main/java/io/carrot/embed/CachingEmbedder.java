package io.carrot.embed;

import io.carrot.core.CarrotException;
import io.carrot.core.embed.Embedder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link Embedder} that remembers the vectors it produced in a {@link VectorStore}, so re-running
 * an experiment or routing a repeated prompt costs no model call: every vector in an
 * {@link EmbeddingCache} file (datasets, the library), or the recent ones in a
 * {@link MemoryVectorCache} bounded in bytes (the server).
 *
 * <p>It has the delegate's id (a cached vector is the delegate's vector). Per call, only texts not
 * in the cache are sent to the delegate, deduplicated and in one batch. Concurrent callers missing
 * the same text may both compute it; the first result stored wins. Closing closes the delegate.
 */
public final class CachingEmbedder implements Embedder {

  private final Embedder delegate;
  /** What misses go to: the delegate, or a concatenation over cached parts. */
  private final Embedder compute;
  private final VectorStore cache;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();

  /** Caches under {@link EmbeddingCache#defaultDirectory()}. */
  public CachingEmbedder(Embedder delegate) {
    this(delegate, EmbeddingCache.defaultDirectory());
  }

  /**
   * Caches {@code delegate}'s vectors in {@code directory}. A {@link ConcatEmbedder} is cached per
   * part instead (each embedder part in its own file, {@link PromptFeatures} computed afresh), so a
   * concatenation reuses what its parts cached alone and stores nothing twice; this embedder then
   * only assembles rows, and {@link #hits()} / {@link #misses()} count at that level (every text a
   * miss) while the parts' caches do the work.
   */
  public CachingEmbedder(Embedder delegate, Path directory) {
    this(delegate, cachedParts(delegate, Objects.requireNonNull(directory, "directory")),
        delegate instanceof ConcatEmbedder ? new NoStore() : EmbeddingCache.open(directory, delegate.id()));
  }

  /** Caches {@code delegate}'s vectors in {@code store}, which then belongs to this embedder (closed with it). */
  public CachingEmbedder(Embedder delegate, VectorStore store) {
    this(delegate, delegate, store);
  }

  private CachingEmbedder(Embedder delegate, Embedder compute, VectorStore store) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.compute = compute;
    this.cache = Objects.requireNonNull(store, "store");
  }

  private static Embedder cachedParts(Embedder delegate, Path directory) {
    if (delegate instanceof ConcatEmbedder concat) {
      return concat.mapParts(p -> p.id().equals(PromptFeatures.ID) ? p : new CachingEmbedder(p, directory));
    }
    return delegate;
  }

  /** Keeps the most recently used vectors of {@code delegate} in memory, at most {@code maxBytes}. */
  public static CachingEmbedder inMemory(Embedder delegate, long maxBytes) {
    return new CachingEmbedder(delegate, new MemoryVectorCache(maxBytes));
  }

  @Override
  public String id() {
    return delegate.id();
  }

  @Override
  public int dimension() {
    int d = cache.dimension();
    return d > 0 ? d : delegate.dimension();
  }

  /** The embedder whose vectors are cached, as given (without the caches of a concatenation's parts). */
  public Embedder delegate() {
    return delegate;
  }

  /** The store. */
  public VectorStore cache() {
    return cache;
  }

  /** Texts answered from the cache so far. */
  public long hits() {
    return hits.get();
  }

  /** Texts sent to the delegate so far (after deduplication). */
  public long misses() {
    return misses.get();
  }

  /** Vectors the store dropped to stay within its bound so far. */
  public long evictions() {
    return cache.evictions();
  }

  @Override
  public float[][] embed(List<String> texts) {
    Objects.requireNonNull(texts, "texts");
    float[][] out = new float[texts.size()][];
    MessageDigest sha = EmbeddingCache.digest();
    // Keyed by text so a prompt repeated within one call is embedded once.
    Map<String, Miss> missing = new LinkedHashMap<>();
    int hit = 0;
    for (int i = 0; i < texts.size(); i++) {
      String text = Texts.at(texts, i);
      byte[] hash = sha.digest(text.getBytes(StandardCharsets.UTF_8));
      float[] v = cache.get(hash);
      if (v != null) {
        out[i] = v;
        hit++;
      } else {
        missing.computeIfAbsent(text, k -> new Miss(hash, new ArrayList<>(1))).positions().add(i);
      }
    }
    hits.addAndGet(hit);
    if (missing.isEmpty()) {
      return out;
    }
    List<String> batch = new ArrayList<>(missing.keySet());
    misses.addAndGet(batch.size());
    float[][] computed = compute.embed(batch);
    if (computed.length != batch.size()) {
      throw new CarrotException(
          "embedder " + delegate.id() + ": returned " + computed.length + " vectors for "
              + batch.size() + " texts; expected one per text");
    }
    byte[][] hashes = new byte[batch.size()][];
    for (int k = 0; k < batch.size(); k++) {
      hashes[k] = missing.get(batch.get(k)).hash();
    }
    cache.putAll(hashes, computed);
    for (int k = 0; k < batch.size(); k++) {
      List<Integer> positions = missing.get(batch.get(k)).positions();
      for (int p = 0; p < positions.size(); p++) {
        out[positions.get(p)] = p == 0 ? computed[k] : computed[k].clone();
      }
    }
    return out;
  }

  private record Miss(byte[] hash, List<Integer> positions) {}

  @Override
  public void close() {
    try {
      cache.close();
    } finally {
      compute.close(); // a concatenation over cached parts closes the caches and the parts
    }
  }

  /** Stores nothing: the level of a concatenation whose parts are cached. */
  private static final class NoStore implements VectorStore {
    @Override
    public float[] get(byte[] sha256) {
      return null;
    }

    @Override
    public void putAll(byte[][] hashes, float[][] rows) {}

    @Override
    public int dimension() {
      return 0;
    }

    @Override
    public int size() {
      return 0;
    }

    @Override
    public long bytes() {
      return 0;
    }

    @Override
    public void close() {}

    @Override
    public String toString() {
      return "per part";
    }
  }

  @Override
  public String toString() {
    return "CachingEmbedder[" + cache + "]";
  }
}
