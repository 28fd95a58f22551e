package io.carrot.spark;

import io.carrot.core.CarrotException;
import io.carrot.core.embed.Embedder;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.Predictor;
import io.carrot.core.route.Candidate;
import io.carrot.core.route.Decision;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.route.Support;
import io.carrot.core.route.Router;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Routes a table of prompts (or precomputed embeddings) with one router at one or many mu values.
 *
 * <p>The router file's bytes are broadcast and decoded once per executor ({@link ExecutorCache});
 * prompts are embedded per partition in batches with one embedder per executor; each prompt is
 * predicted once and decided at every mu with {@link Router#decide}, the rule the single-JVM
 * router uses, so a row here equals {@code router.route(embedding, inputTokens, mu)} exactly.
 * Input tokens come from the {@code input_tokens} column, else from counting the prompt with
 * cl100k, else {@link Options#defaultInputTokens()}.
 */
public final class RouteJob {
  /** One row per prompt and mu. */
  public static final StructType OUTPUT =
      new StructType(
          new StructField[] {
            DataTypes.createStructField("id", DataTypes.StringType, false),
            DataTypes.createStructField("mu", DataTypes.DoubleType, false),
            DataTypes.createStructField("model", DataTypes.StringType, false),
            DataTypes.createStructField("predicted_quality", DataTypes.DoubleType, false),
            DataTypes.createStructField("predicted_output_tokens", DataTypes.DoubleType, false),
            DataTypes.createStructField("predicted_cost_usd", DataTypes.DoubleType, false),
            DataTypes.createStructField("input_tokens", DataTypes.DoubleType, false)
          });

  private static final int BATCH = 64;

  /**
   * @param mus trade-offs, each in [0, 1]
   * @param embedder embedder name for prompts without an embedding; null = the router's own
   * @param defaultInputTokens input tokens for rows with neither input_tokens nor a prompt
   */
  public record Options(List<Double> mus, String embedder, double defaultInputTokens) implements Serializable {
    public Options {
      if (mus == null || mus.isEmpty()) {
        throw new CarrotException("give at least one mu value in [0, 1]");
      }
      mus = List.copyOf(mus);
      for (double mu : mus) {
        RouteOptions.mu(mu);
      }
      if (!(defaultInputTokens >= 0)) {
        throw new CarrotException("default input tokens must be >= 0, got " + defaultInputTokens);
      }
    }
  }

  private RouteJob() {}

  /** Reads a router file for broadcasting; fails clearly when it is missing or unreadable. */
  public static byte[] routerBytes(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new CarrotException("router file " + file + " does not exist; train one with 'carrot train'");
    }
    try {
      byte[] b = Files.readAllBytes(file);
      ExecutorCache.router(key(b), () -> b); // validates on the driver before any task starts
      return b;
    } catch (java.io.IOException e) {
      throw new CarrotException("cannot read router file " + file + ": " + e.getMessage(), e);
    }
  }

  /** The decisions for {@code input} (in {@link Inputs#SCHEMA}); lazy until written or collected. */
  public static Dataset<Row> route(SparkSession spark, Dataset<Row> input, byte[] routerFile, Options options) {
    String key = key(routerFile);
    Router driverRouter = ExecutorCache.router(key, () -> routerFile);
    String embedderName = options.embedder() != null ? options.embedder() : driverRouter.provenance().embedderId();
    Broadcast<byte[]> bc = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(routerFile);
    JavaRDD<Row> out =
        input.javaRDD().mapPartitions(rows -> new Decisions(rows, ExecutorCache.router(key, bc::value), embedderName, options));
    return spark.createDataFrame(out, OUTPUT);
  }

  /**
   * The decisions for {@code rows} (in {@link Inputs#SCHEMA}) computed in this JVM, without
   * executors: what {@link #route} computes for them on a partition ({@code spark check}).
   */
  static List<Row> routeHere(List<Row> rows, byte[] routerFile, Options options) {
    Router r = router(routerFile);
    String embedderName = options.embedder() != null ? options.embedder() : r.provenance().embedderId();
    List<Row> out = new ArrayList<>();
    new Decisions(rows.iterator(), r, embedderName, options).forEachRemaining(out::add);
    return out;
  }

  /** The router in {@code routerFile}, decoded once per JVM. */
  static Router router(byte[] routerFile) {
    return ExecutorCache.router(key(routerFile), () -> routerFile);
  }

  static String key(byte[] routerFile) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(routerFile));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Routes a partition batch by batch; embeds only the rows without an embedding. */
  private static final class Decisions implements Iterator<Row> {
    private final Iterator<Row> in;
    private final Router router;
    private final String embedderName;
    private final Options options;
    private final List<Row> pending = new ArrayList<>();
    private int next;

    Decisions(Iterator<Row> in, Router router, String embedderName, Options options) {
      this.in = in;
      this.router = router;
      this.embedderName = embedderName;
      this.options = options;
    }

    @Override
    public boolean hasNext() {
      if (next < pending.size()) {
        return true;
      }
      pending.clear();
      next = 0;
      while (pending.isEmpty() && in.hasNext()) {
        fill();
      }
      return !pending.isEmpty();
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException();
      }
      return pending.get(next++);
    }

    private void fill() {
      List<Row> batch = new ArrayList<>(BATCH);
      while (batch.size() < BATCH && in.hasNext()) {
        batch.add(in.next());
      }
      float[][] vectors = new float[batch.size()][];
      List<String> texts = new ArrayList<>();
      List<Integer> textRows = new ArrayList<>();
      for (int i = 0; i < batch.size(); i++) {
        Row r = batch.get(i);
        if (!r.isNullAt(2)) {
          vectors[i] = toFloats(r.getList(2));
        } else if (!r.isNullAt(1)) {
          texts.add(r.getString(1));
          textRows.add(i);
        } else {
          throw new CarrotException("row '" + r.getString(0) + "' has neither a prompt nor an embedding");
        }
      }
      if (!texts.isEmpty()) {
        Embedder e = ExecutorCache.embedder(embedderName);
        float[][] emb = e.embed(texts);
        for (int t = 0; t < emb.length; t++) {
          vectors[textRows.get(t)] = emb[t];
        }
      }
      Predictor p = router.predictor();
      for (int i = 0; i < batch.size(); i++) {
        Row r = batch.get(i);
        if (vectors[i].length != p.dimension()) {
          throw new CarrotException(
              "row '" + r.getString(0) + "': embedding has dimension " + vectors[i].length + ", the router expects " + p.dimension());
        }
        double tokens =
            !r.isNullAt(3) ? r.getDouble(3) : !r.isNullAt(1) ? ExecutorCache.tokenCounter().count(r.getString(1)) : options.defaultInputTokens();
        Prediction pred = p.predict(vectors[i]);
        float[] v = vectors[i];
        Support.Level level = router.support().map(s -> s.level(v)).orElse(null);
        for (double mu : options.mus()) {
          Decision d = router.decide(pred, level, tokens, mu, RouteOptions.mu(mu));
          Candidate c = d.chosen();
          pending.add(RowFactory.create(r.getString(0), mu, d.model(), c.quality(), c.outputTokens(), c.costUsd(), tokens));
        }
      }
    }

    private static float[] toFloats(List<Object> list) {
      float[] v = new float[list.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = ((Number) list.get(i)).floatValue();
      }
      return v;
    }
  }
}
