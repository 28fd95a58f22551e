package io.carrot.spark;

import io.carrot.core.CarrotException;
import io.carrot.core.curve.EvalSet;
import io.carrot.core.curve.RouterSweep;
import io.carrot.core.curve.SingleModels;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.core.embed.Embedder;
import io.carrot.core.metrics.Anchors;
import io.carrot.core.metrics.MetricFormulas;
import io.carrot.core.metrics.Point;
import io.carrot.core.metrics.RouterMetrics;
import io.carrot.core.predict.Prediction;
import io.carrot.core.route.Router;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * A routing dataset's frontier and metrics, computed on Spark and equal, bit for bit, to the
 * single-JVM {@link RouterSweep#frontier(int)} and {@link RouterSweep#outputTokenMae()}.
 *
 * <p>Executors do the per-prompt work: embed (if no vectors are given), predict with the broadcast
 * router, and run {@link RouterSweep#choices(double)} on their partition's {@link EvalSet} at every
 * mu of the grid. Each prompt's choices over the grid are returned as runs (the chosen model only
 * changes where the upper envelope of M lines in mu does, so a prompt has at most M runs). The
 * driver then adds the chosen models' quality and cost prompt by prompt in split order, the order
 * {@link RouterSweep#at(double)} adds them in: floating-point sums depend on order, and this keeps
 * them identical however the split is partitioned.
 */
public final class EvalJob {

  /**
   * @param frontier one point per mu = s / steps, s = 0..steps
   * @param singleModels each model alone on the split
   * @param metrics the router's metrics against the single-model anchors
   */
  public record Result(List<Point> frontier, double outputTokenMae, List<Point> singleModels, RouterMetrics metrics, int prompts) {}

  /** One prompt of the split as shipped to an executor. */
  record Task(int index, String id, String prompt, float[] embedding, double[] inputTokens, double[] quality, double[] cost, double[] outputTokens)
      implements Serializable {}

  /** One prompt's result: the model chosen from grid step {@code runStart[r]} on, and its predicted tokens. */
  record Outcome(int index, int[] runStart, int[] runModel, double[] predictedTokens) implements Serializable {}

  private EvalJob() {}

  /**
   * Evaluates {@code router} on split {@code split} of {@code data}.
   *
   * @param embeddings one vector per prompt of the split in split order, or null to embed on the
   *     executors with {@code embedderName} (null: the router's own embedder)
   */
  public static Result evaluate(
      SparkSession spark, Dataset data, Split split, byte[] routerFile, float[][] embeddings, String embedderName, int steps, int partitions) {
    if (steps < 1) {
      throw new CarrotException("steps must be >= 1, got " + steps);
    }
    List<PromptRecord> rows = data.requireRows(split);
    if (embeddings != null && embeddings.length != rows.size()) {
      throw new CarrotException("got " + embeddings.length + " embeddings for " + rows.size() + " prompts of the " + split + " split");
    }
    // sparse datasets: evaluate on the prompts where every model has an entry
    if (embeddings != null) {
      embeddings = EvalSet.completeEmbeddings(rows, embeddings);
    }
    rows = EvalSet.completeRows(rows);
    if (rows.isEmpty()) {
      throw new CarrotException("no prompt of the " + split + " split has an entry for every model");
    }
    EvalSet set = EvalSet.of(data, rows);
    String key = RouteJob.key(routerFile);
    Router router = ExecutorCache.router(key, () -> routerFile);
    if (!router.models().equals(set.models())) {
      throw new CarrotException("the router was trained on models " + router.models() + " but the dataset has " + set.models());
    }
    String embedder = embedderName != null ? embedderName : router.provenance().embedderId();
    List<Task> tasks = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      tasks.add(new Task(i, set.ids().get(i), rows.get(i).prompt(), embeddings == null ? null : embeddings[i],
          set.inputTokens()[i], set.quality()[i], set.cost()[i], set.outputTokens()[i]));
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<byte[]> bc = jsc.broadcast(routerFile);
    List<String> models = set.models();
    int parts = partitions > 0 ? partitions : jsc.defaultParallelism();
    List<Outcome> outcomes =
        new ArrayList<>(
            jsc.parallelize(tasks, Math.max(1, Math.min(parts, tasks.size())))
                .mapPartitions(it -> partition(it, models, ExecutorCache.router(key, bc::value), embedder, steps).iterator())
                .collect());
    outcomes.sort(Comparator.comparingInt(Outcome::index));
    return combine(set, outcomes, steps);
  }

  static List<Outcome> partition(Iterator<Task> it, List<String> models, Router router, String embedderName, int steps) {
    List<Task> tasks = new ArrayList<>();
    it.forEachRemaining(tasks::add);
    if (tasks.isEmpty()) {
      return List.of();
    }
    int n = tasks.size();
    float[][] vectors = new float[n][];
    List<String> texts = new ArrayList<>();
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      vectors[i] = tasks.get(i).embedding();
      if (vectors[i] == null) {
        texts.add(tasks.get(i).prompt());
        at.add(i);
      }
    }
    if (!texts.isEmpty()) {
      Embedder e = ExecutorCache.embedder(embedderName);
      float[][] emb = e.embed(texts);
      for (int t = 0; t < emb.length; t++) {
        vectors[at.get(t)] = emb[t];
      }
    }
    Prediction[] predictions = router.predictor().predictAll(vectors);
    EvalSet part =
        new EvalSet(
            models,
            tasks.stream().map(Task::id).toList(),
            tasks.stream().map(Task::quality).toArray(double[][]::new),
            tasks.stream().map(Task::cost).toArray(double[][]::new),
            tasks.stream().map(Task::inputTokens).toArray(double[][]::new),
            tasks.stream().map(Task::outputTokens).toArray(double[][]::new));
    RouterSweep sweep = new RouterSweep(part, router, predictions);
    int[][] bySteps = new int[steps + 1][];
    for (int s = 0; s <= steps; s++) {
      bySteps[s] = sweep.choices((double) s / steps);
    }
    List<Outcome> out = new ArrayList<>(n);
    int[] starts = new int[steps + 1];
    int[] chosen = new int[steps + 1];
    for (int i = 0; i < n; i++) {
      int runs = 0;
      for (int s = 0; s <= steps; s++) {
        int m = bySteps[s][i];
        if (runs == 0 || chosen[runs - 1] != m) {
          starts[runs] = s;
          chosen[runs] = m;
          runs++;
        }
      }
      out.add(new Outcome(tasks.get(i).index(), Arrays.copyOf(starts, runs), Arrays.copyOf(chosen, runs), predictions[i].outputTokens()));
    }
    return out;
  }

  /** Adds up the outcomes in split order, exactly as {@link RouterSweep#at(double)} does. */
  static Result combine(EvalSet set, List<Outcome> outcomes, int steps) {
    int n = set.size();
    if (outcomes.size() != n) {
      throw new IllegalStateException("got " + outcomes.size() + " outcomes for " + n + " prompts");
    }
    double[] q = new double[steps + 1];
    double[] c = new double[steps + 1];
    double[][] predTokens = new double[n][];
    for (int i = 0; i < n; i++) {
      Outcome o = outcomes.get(i);
      if (o.index() != i) {
        throw new IllegalStateException("outcome " + o.index() + " at position " + i);
      }
      predTokens[i] = o.predictedTokens();
      for (int r = 0; r < o.runStart().length; r++) {
        int end = r + 1 < o.runStart().length ? o.runStart()[r + 1] : steps + 1;
        double qv = set.quality()[i][o.runModel()[r]];
        double cv = set.cost()[i][o.runModel()[r]];
        for (int s = o.runStart()[r]; s < end; s++) {
          q[s] += qv;
          c[s] += cv;
        }
      }
    }
    List<Point> frontier = new ArrayList<>(steps + 1);
    for (int s = 0; s <= steps; s++) {
      frontier.add(new Point((double) s / steps, c[s] / n, q[s] / n));
    }
    List<Point> singles = SingleModels.points(set, null);
    Anchors anchors = Anchors.of(singles);
    RouterMetrics metrics = RouterMetrics.of(frontier, anchors, frontier.get(0).quality());
    return new Result(frontier, MetricFormulas.meanAbsoluteError(predTokens, set.outputTokens()), singles, metrics, n);
  }
}
