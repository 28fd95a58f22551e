package io.carrot.api;

import io.carrot.core.ProgressListener;
import io.carrot.core.data.Dataset;
import io.carrot.core.embed.Embedder;
import io.carrot.core.eval.EvalOptions;
import io.carrot.core.eval.EvalReport;
import io.carrot.core.eval.EvaluationHarness;
import io.carrot.core.route.Router;
import io.carrot.embed.Cl100kTokenCounter;
import java.nio.file.Path;

/**
 * Runs the paper's experiment on a dataset (see {@link EvaluationHarness}): fit or take a router,
 * sweep mu on test, every baseline, every metric, bootstrap intervals, sanity checks. The report
 * module turns the result into metrics.json, frontier.csv, report.md and plots.
 */
public final class Evaluator {
  private Evaluator() {}

  /**
   * Evaluates with prompts embedded by {@code embedder} (wrap it in a {@code CachingEmbedder} to
   * embed each prompt once across runs).
   *
   * @param router the router to evaluate, or null to fit {@code options.estimator()} on train
   */
  public static EvalReport evaluate(Dataset data, Embedder embedder, Router router, EvalOptions options, ProgressListener progress) {
    return EvaluationHarness.run(
        data,
        (split, rows) -> DatasetEmbeddings.embed(embedder, rows, done -> progress.update("embedding " + split.key(), done, rows.size())),
        router,
        embedder.id(),
        new Cl100kTokenCounter().id(),
        options,
        progress);
  }

  /** Evaluates with precomputed embeddings ({@code carrot embed} output, matched by prompt id). */
  public static EvalReport evaluate(Dataset data, Path embeddings, Router router, EvalOptions options, ProgressListener progress) {
    return EvaluationHarness.run(
        data,
        (split, rows) -> DatasetEmbeddings.lookup(embeddings, rows),
        router,
        "precomputed:" + embeddings.getFileName(),
        new Cl100kTokenCounter().id(),
        options,
        progress);
  }
}
