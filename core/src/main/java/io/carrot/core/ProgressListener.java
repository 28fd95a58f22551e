package io.carrot.core;

/**
 * Receives progress of a long job, stage by stage. Implementations must be thread-safe: parallel
 * stages report from several threads.
 */
@FunctionalInterface
public interface ProgressListener {
  /** Ignores every update. */
  ProgressListener NONE = (stage, done, total) -> {};

  /**
   * Reports progress within a stage.
   *
   * @param stage what is running, e.g. {@code "choosing k (5-fold CV)"}; a new stage starts when it
   *     changes
   * @param done units finished so far in this stage
   * @param total units in this stage (0 when unknown)
   */
  void update(String stage, long done, long total);
}
