package io.carrot.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.carrot.embed.MemoryVectorCache;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingCacheServerTest {
  @TempDir Path dir;

  @Test
  void aRepeatedPromptIsEmbeddedOnceAndTheCacheIsCountedInTheMetrics() throws Exception {
    try (Harness h = Harness.start(dir, "")) {
      for (String prompt : new String[] {"What is 2+2?", "What is 2+2?", "Name a prime.", "What is 2+2?"}) {
        HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("carrot:mu=0.2", prompt, false), null);
        assertThat(r.statusCode()).isEqualTo(200);
      }
      // the tiny router's embedder gives 8-d vectors: 32 bytes of floats each plus the entry overhead
      assertThat(h.server.metrics().render())
          .contains("# TYPE carrot_embedding_cache_hits_total counter\ncarrot_embedding_cache_hits_total 2\n")
          .contains("carrot_embedding_cache_misses_total 2\n")
          .contains("carrot_embedding_cache_evictions_total 0\n")
          .contains("carrot_embedding_cache_bytes " + 2 * (32 + MemoryVectorCache.ENTRY_OVERHEAD) + "\n");
    }
  }
}
