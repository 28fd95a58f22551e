package io.carrot.core.train;

import io.carrot.core.CarrotException;
import io.carrot.core.Version;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.predict.knn.KnnTrainer;
import io.carrot.core.route.Provenance;
import io.carrot.core.route.Router;
import io.carrot.core.route.Support;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntConsumer;

/** Fits a {@link Router} on embedded training prompts of a dataset. */
public final class RouterTrainer {
  private RouterTrainer() {}

  /**
   * Fits the estimator {@code trainer} describes and wraps it in a router with the dataset's prices,
   * the cost scale of the training prompts and provenance.
   *
   * @param rows the training prompts
   * @param embeddings one unit vector per row, from the embedder named {@code embedderId}
   * @param progress receives CV progress (queries done)
   */
  public static Router train(
      Dataset data,
      List<PromptRecord> rows,
      float[][] embeddings,
      KnnTrainer trainer,
      String embedderId,
      String tokenCounterId,
      Map<String, String> extra,
      IntConsumer progress) {
    return train(data, rows, embeddings, ts -> trainer.fit(ts, progress), trainer.seed(), embedderId, tokenCounterId, extra);
  }

  /**
   * Fits a router with any estimator: {@code fit} turns the training set into a predictor.
   *
   * <p>The router carries the training set's {@link Support} (coverage and priors), so its
   * decisions report support and fall back toward the priors where it is low.
   *
   * @param seed the seed the estimator used, recorded in the provenance (and choosing the support
   *     sample of a large training set)
   */
  public static Router train(
      Dataset data,
      List<PromptRecord> rows,
      float[][] embeddings,
      Function<TrainingSet, Predictor> fit,
      long seed,
      String embedderId,
      String tokenCounterId,
      Map<String, String> extra) {
    if (data.modelCount() < 2) {
      throw new CarrotException(
          "dataset '" + data.name() + "' has " + data.modelCount() + " model; routing needs at least 2");
    }
    TrainingSet ts = trainingSet(data, rows, embeddings).requireEveryModelObserved();
    Predictor p = fit.apply(ts);
    Provenance prov =
        new Provenance(
            data.name(),
            data.sha256(),
            rows.size(),
            embedderId,
            tokenCounterId,
            seed,
            Version.CURRENT,
            Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
            extra);
    Router r = new Router(p, data.prices(), Router.costScaleFor(ts.costs().trueCost()), prov);
    return r.withSupport(support(ts, rows, seed));
  }

  /** The support section of a router trained on {@code rows}: coverage, priors and training prompts by source. */
  public static Support support(Dataset data, List<PromptRecord> rows, float[][] embeddings, long seed) {
    return support(trainingSet(data, rows, embeddings), rows, seed);
  }

  private static Support support(TrainingSet ts, List<PromptRecord> rows, long seed) {
    String[] source = rows.stream().map(RouterTrainer::sourceOf).toArray(String[]::new);
    Support s = Support.fit(ts, source, seed);
    if (s == null) {
      return null;
    }
    Map<String, Integer> bySource = new java.util.TreeMap<>();
    for (String src : source) {
      bySource.merge(src, 1, Integer::sum);
    }
    return s.withSources(bySource);
  }

  private static String sourceOf(PromptRecord r) {
    return r.source() == null || r.source().isEmpty() ? "(no source)" : r.source();
  }

  /**
   * The estimator's view of embedded prompts: embeddings, observed quality and output tokens, and
   * the prompts' costs (the dataset's prices, input tokens and recorded costs).
   */
  public static TrainingSet trainingSet(Dataset data, List<PromptRecord> rows, float[][] embeddings) {
    if (rows.size() != embeddings.length) {
      throw new CarrotException("got " + embeddings.length + " embeddings for " + rows.size() + " training prompts");
    }
    int n = rows.size();
    int m = data.modelCount();
    ModelPrice[] prices = data.priceArray();
    double[][] q = new double[n][];
    double[][] t = new double[n][];
    double[][] in = new double[n][];
    double[][] c = new double[n][m];
    for (int i = 0; i < n; i++) {
      PromptRecord r = rows.get(i);
      q[i] = r.scores();
      t[i] = r.outputTokens();
      in[i] = r.inputTokens();
      for (int j = 0; j < m; j++) {
        c[i][j] = r.trueCost(j, prices[j]);
      }
    }
    return new TrainingSet(data.models(), embeddings, q, t, new TrainingSet.Costs(List.of(prices), in, c));
  }
}
