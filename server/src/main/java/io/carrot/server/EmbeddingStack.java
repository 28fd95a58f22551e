package io.carrot.server;

import io.carrot.core.embed.Embedder;
import io.carrot.embed.CachingEmbedder;
import io.carrot.embed.MicroBatchingEmbedder;
import io.carrot.embed.OnnxSentenceEmbedder;
import io.carrot.embed.OpenAiEmbedder;
import io.carrot.server.metrics.Metrics;
import java.util.List;
import java.util.Map;

/**
 * The embedder the server routes with, built around the router's: the model itself (a library
 * router's file-backed cache is set aside: a server must not keep every prompt it ever saw),
 * micro-batched when it is a transformer, behind a cache of recent prompts bounded in bytes.
 * Cache hits never wait for a batch.
 */
final class EmbeddingStack {
  final Embedder embedder;
  private final CachingEmbedder cache;
  private final MicroBatchingEmbedder batching;

  private EmbeddingStack(Embedder embedder, CachingEmbedder cache, MicroBatchingEmbedder batching) {
    this.embedder = embedder;
    this.cache = cache;
    this.batching = batching;
  }

  static EmbeddingStack around(Embedder given, EmbeddingSettings s) {
    Embedder base = given instanceof CachingEmbedder c ? c.delegate() : given;
    // a transformer pass or an HTTP call has a large cost per call, which a batch shares
    boolean batchable = base instanceof OnnxSentenceEmbedder || base instanceof OpenAiEmbedder;
    MicroBatchingEmbedder batching = batchable && s.maxBatch() > 1
        ? new MicroBatchingEmbedder(base, s.batchWait(), s.maxBatch()) : null;
    Embedder e = batching == null ? base : batching;
    CachingEmbedder cache = s.cacheBytes() > 0 ? CachingEmbedder.inMemory(e, s.cacheBytes()) : null;
    return new EmbeddingStack(cache == null ? e : cache, cache, batching);
  }

  /** Registers the cache's and the batching's counters. */
  void register(Metrics registry) {
    if (cache != null) {
      registry.counterOf("carrot_embedding_cache_hits_total", "Prompts whose vector came from the embedding cache.",
          () -> one(cache.hits()));
      registry.counterOf("carrot_embedding_cache_misses_total", "Prompts the embedding cache did not have (embedded).",
          () -> one(cache.misses()));
      registry.counterOf("carrot_embedding_cache_evictions_total",
          "Vectors dropped from the embedding cache to stay within its size.", () -> one(cache.evictions()));
      registry.gauge("carrot_embedding_cache_bytes", "Memory held by the embedding cache, bytes.",
          () -> one(cache.cache().bytes()));
    }
    if (batching != null) {
      registry.counterOf("carrot_embedding_batches_total", "Calls to the embedding model (each a micro-batch).",
          () -> one(batching.batches()));
      registry.counterOf("carrot_embedding_batched_prompts_total",
          "Prompts embedded through micro-batches (divided by batches: the mean batch size).", () -> one(batching.texts()));
    }
  }

  private static Map<List<String>, Double> one(double value) {
    return Map.of(List.of(), value);
  }

  /** Stops the batching thread; the model itself belongs to the caller's router. */
  void close() {
    if (batching != null) {
      batching.stop();
    }
  }
}
