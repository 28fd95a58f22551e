package io.carrot.cli;

import io.carrot.api.DatasetEmbeddings;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.embed.Embedder;
import io.carrot.embed.CachingEmbedder;
import io.carrot.embed.Embedders;
import java.io.PrintWriter;
import java.util.List;

/** Gets prompt vectors for a command: from a precomputed file or a (cached) embedder. */
final class PromptVectors implements AutoCloseable {
  private final DataOptions opts;
  private final PrintWriter err;
  private Embedder embedder;

  PromptVectors(DataOptions opts, PrintWriter err) {
    this.opts = opts;
    this.err = err;
  }

  /** The embedder id to record: the named embedder's, or one naming the precomputed file. */
  String embedderId() {
    if (opts.embeddings != null) {
      return opts.embedder != null ? embedder().id() : "precomputed:" + opts.embeddings.getFileName();
    }
    return embedder().id();
  }

  Embedder embedder() {
    if (embedder == null) {
      embedder = new CachingEmbedder(Embedders.create(opts.embedder == null ? Embedders.DEFAULT : opts.embedder));
    }
    return embedder;
  }

  float[][] of(List<PromptRecord> rows, String label) {
    if (opts.embeddings != null) {
      return DatasetEmbeddings.lookup(opts.embeddings, rows);
    }
    Progress p = new Progress(err, label, rows.size());
    float[][] v = DatasetEmbeddings.embed(embedder(), rows, p::update);
    p.done();
    return v;
  }

  @Override
  public void close() {
    if (embedder != null) {
      embedder.close();
    }
  }
}
