package io.carrot.core.route;

import java.util.Map;

/**
 * Where a trained router came from; stored in the router file.
 *
 * @param dataset dataset name
 * @param datasetSha256 hash of the dataset files
 * @param trainPrompts number of prompts it was fitted on
 * @param embedderId embedder that produced the training vectors (routing must use the same)
 * @param tokenCounterId how input tokens are counted at route time
 * @param seed random seed of splits and CV
 * @param carrotVersion project version that trained it
 * @param createdAt ISO-8601 creation time
 * @param extra anything else worth recording (command line, notes)
 */
public record Provenance(
    String dataset,
    String datasetSha256,
    int trainPrompts,
    String embedderId,
    String tokenCounterId,
    long seed,
    String carrotVersion,
    String createdAt,
    Map<String, String> extra) {
  /** Copies {@code extra} into a sorted, unmodifiable map. */
  public Provenance {
    extra = extra == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(extra));
  }
}
