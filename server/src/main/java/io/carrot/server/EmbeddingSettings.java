package io.carrot.server;

import io.carrot.core.CarrotException;
import io.carrot.embed.MicroBatchingEmbedder;
import java.time.Duration;

/**
 * How the server embeds prompts: an in-memory cache of recent prompts' vectors bounded in bytes,
 * and micro-batching of concurrent requests' prompts for transformer embedders.
 *
 * @param cacheBytes bound of the in-memory embedding cache; 0 turns it off
 * @param batchWait longest a prompt waits for others to join its batch while the embedder is busy
 * @param maxBatch most prompts per embedding call; 1 turns micro-batching off
 */
public record EmbeddingSettings(long cacheBytes, Duration batchWait, int maxBatch) {
  /** 64 MB of cache (about 130,000 384-d vectors), 2 ms, 32 prompts. */
  public static final EmbeddingSettings DEFAULTS =
      new EmbeddingSettings(64L << 20, MicroBatchingEmbedder.DEFAULT_MAX_WAIT, MicroBatchingEmbedder.DEFAULT_MAX_BATCH);

  public EmbeddingSettings {
    if (cacheBytes < 0) {
      throw new CarrotException("embedding cache size must be >= 0 bytes (0 = off), got " + cacheBytes);
    }
    if (batchWait == null || batchWait.isNegative() || batchWait.compareTo(Duration.ofSeconds(1)) > 0) {
      throw new CarrotException("embedding batch wait must be in [0, 1000] ms, got " + (batchWait == null ? null : batchWait.toMillis()));
    }
    if (maxBatch < 1 || maxBatch > 4096) {
      throw new CarrotException("embedding max batch must be in [1, 4096] prompts (1 = off), got " + maxBatch);
    }
  }
}
