package io.carrot.spark;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.CarrotException;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.DatasetReader;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.core.files.AtomicFiles;
import io.carrot.core.files.CsvTable;
import io.carrot.core.files.FloatArrays;
import io.carrot.core.files.Json;
import io.carrot.core.io.RouterFile;
import io.carrot.core.metrics.Point;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Entry point of the Spark jobs, for {@code spark-submit --class io.carrot.spark.SparkMain} and for
 * {@code carrot spark}. Without a master from spark-submit it runs on {@code --master} (default
 * {@code local[*]}). Errors are printed as {@code carrot: error: <message>}, exit code 1.
 */
@Command(
    name = "carrot spark",
    mixinStandardHelpOptions = true,
    subcommands = {SparkMain.Route.class, SparkMain.Eval.class, SparkMain.Check.class, SparkMain.Synth.class},
    description = "Batch routing and evaluation on Apache Spark.")
public final class SparkMain implements Runnable {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs and returns the exit code (for tests). */
  public static int run(String... args) {
    CommandLine cl = new CommandLine(new SparkMain());
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      CarrotException ce = carrotCause(e);
      cmd.getErr().println("carrot: error: " + (ce != null ? ce.getMessage() : String.valueOf(e)));
      return 1;
    });
    return cl.execute(args);
  }

  private static CarrotException carrotCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CarrotException c) {
        return c;
      }
    }
    return null;
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  /** Options every job shares. */
  static class SessionOptions {
    @Option(names = "--master", description = "Spark master when not set by spark-submit (default: ${DEFAULT-VALUE}).", defaultValue = "local[*]")
    String master;

    @Option(names = "--partitions", description = "Number of partitions (default: Spark's default parallelism).", defaultValue = "0")
    int partitions;

    /** True when {@link #session} made a new session, which the job then stops. */
    boolean created;

    SparkSession session(String app) {
      created = SparkSession.getActiveSession().isEmpty();
      SparkConf conf = new SparkConf(true);
      SparkSession.Builder b = SparkSession.builder().appName(app);
      if (!conf.contains("spark.master")) {
        b.master(master).config("spark.ui.enabled", "false");
        if (master.startsWith("local")) {
          b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
        }
      }
      SparkSession s = b.getOrCreate();
      if (created && !conf.contains("spark.master")) {
        // Spark's INFO lines drown the job's own output on a terminal; 'carrot spark' passes
        // CARROT_SPARK_LOG_LEVEL as this property
        s.sparkContext().setLogLevel(System.getProperty("carrot.spark.logLevel", "WARN"));
      }
      return s;
    }
  }

  @Command(name = "route", mixinStandardHelpOptions = true, description = "Route prompts or embeddings at one or many mu values; writes one row per prompt and mu.")
  static final class Route implements Callable<Integer> {
    @CommandLine.Mixin SessionOptions session = new SessionOptions();

    @Option(names = "--router", required = true, description = "Router file (.carrot).")
    Path router;

    @Option(names = "--input", required = true, description = "Prompts or embeddings: .jsonl[.gz] or Parquet (columns id, prompt and/or embedding, optional input_tokens), or a .f32 matrix with its .ids file.")
    String input;

    @Option(names = "--mu", required = true, split = ",", description = "Trade-off values in [0, 1], comma-separated.")
    List<Double> mus;

    @Option(names = "--out", required = true, description = "Output directory.")
    String out;

    @Option(names = "--format", defaultValue = "parquet", description = "parquet, json or csv (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--overwrite", description = "Replace an existing output directory.")
    boolean overwrite;

    @Option(names = "--embedder", description = "Embedder for prompts without an embedding (default: the router's).")
    String embedder;

    @Option(names = "--input-tokens", defaultValue = "0", description = "Input tokens for rows with neither input_tokens nor a prompt (default: ${DEFAULT-VALUE}).")
    double inputTokens;

    @Override
    public Integer call() {
      String fmt = format.toLowerCase(Locale.ROOT);
      if (!List.of("parquet", "json", "csv").contains(fmt)) {
        throw new CarrotException("--format must be parquet, json or csv, got '" + format + "'");
      }
      RouteJob.Options opts = new RouteJob.Options(mus, embedder, inputTokens);
      byte[] bytes = RouteJob.routerBytes(router);
      SparkSession spark = session.session("carrot-route");
      try {
        long t0 = System.nanoTime();
        org.apache.spark.sql.Dataset<Row> in = Inputs.read(spark, input, session.partitions);
        RouteJob.route(spark, in, bytes, opts).write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists).format(fmt).save(out);
        double secs = (System.nanoTime() - t0) / 1e9;
        long rows = spark.read().format(fmt).schema(RouteJob.OUTPUT).load(out).count();
        long prompts = rows / opts.mus().size();
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("prompts", prompts);
        s.put("mu_values", opts.mus().size());
        s.put("rows", rows);
        s.put("seconds", Math.round(secs * 100) / 100.0);
        s.put("prompts_per_second", Math.round(prompts / secs));
        s.put("master", spark.sparkContext().master());
        s.put("out", out);
        System.out.println(Json.COMPACT.writeValueAsString(s));
        return 0;
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new CarrotException("cannot print the summary: " + e.getMessage(), e);
      } finally {
        if (session.created) {
          spark.stop();
        }
      }
    }
  }

  @Command(name = "eval", mixinStandardHelpOptions = true, description = "Frontier and metrics of a router on a dataset split, computed in parallel.")
  static final class Eval implements Callable<Integer> {
    @CommandLine.Mixin SessionOptions session = new SessionOptions();

    @Option(names = "--data", required = true, description = "Dataset directory (prompts.jsonl.gz, models.json, split.json).")
    Path data;

    @Option(names = "--router", required = true, description = "Router file (.carrot) trained on this dataset's models.")
    Path router;

    @Option(names = "--embeddings", description = "Precomputed embeddings (.f32 + .ids) covering the split; default: embed on the executors.")
    Path embeddings;

    @Option(names = "--embedder", description = "Embedder when embedding on the executors (default: the router's).")
    String embedder;

    @Option(names = "--split", defaultValue = "test", description = "train, validation or test (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--steps", defaultValue = "1000", description = "mu grid: steps + 1 values from 0 to 1 (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--out", description = "Directory for frontier.csv and metrics.json (default: print only).")
    Path out;

    @Override
    public Integer call() throws Exception {
      Split s = parseSplit(split);
      Dataset ds = DatasetReader.read(data);
      List<PromptRecord> rows = ds.requireRows(s);
      float[][] vectors = embeddings == null ? null : lookup(embeddings, rows);
      byte[] bytes = RouteJob.routerBytes(router);
      RouterFile.load(router); // a clear message for a bad file before Spark starts
      SparkSession spark = session.session("carrot-eval");
      EvalJob.Result r;
      long t0 = System.nanoTime();
      try {
        r = EvalJob.evaluate(spark, ds, s, bytes, vectors, embedder, steps, session.partitions);
      } finally {
        if (session.created) {
          spark.stop();
        }
      }
      ObjectNode m = Json.MAPPER.createObjectNode();
      m.put("dataset", ds.name());
      m.put("split", s.name().toLowerCase(Locale.ROOT));
      m.put("prompts", r.prompts());
      m.put("steps", steps);
      m.put("output_token_mae", r.outputTokenMae());
      m.set("metrics", Json.MAPPER.valueToTree(r.metrics().asMap()));
      m.put("seconds", Math.round((System.nanoTime() - t0) / 1e7) / 100.0);
      String json = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(m);
      if (out != null) {
        CsvTable csv = new CsvTable("mu", "cost", "quality");
        for (Point p : r.frontier()) {
          csv.row(p.param(), p.cost(), p.quality());
        }
        csv.write(out.resolve("frontier.csv"));
        AtomicFiles.writeString(out.resolve("metrics.json"), json + "\n");
      }
      System.out.println(json);
      return 0;
    }

    private static Split parseSplit(String s) {
      try {
        return Split.valueOf(s.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new CarrotException("--split must be train, validation or test, got '" + s + "'");
      }
    }

    private static float[][] lookup(Path f32, List<PromptRecord> rows) {
      FloatArrays.Matrix m = FloatArrays.readMatrix(f32);
      Map<String, Integer> at = new HashMap<>();
      for (int i = 0; i < m.ids().size(); i++) {
        at.put(m.ids().get(i), i);
      }
      float[][] out = new float[rows.size()][];
      for (int i = 0; i < rows.size(); i++) {
        Integer j = at.get(rows.get(i).id());
        if (j == null) {
          throw new CarrotException(f32 + " has no embedding for prompt '" + rows.get(i).id() + "'; embed the dataset with 'carrot embed'");
        }
        out[i] = m.rows()[j];
      }
      return out;
    }
  }

  @Command(name = "check", mixinStandardHelpOptions = true, description = "Re-route a sample of a route job's output in this JVM, without Spark's executors, and count the rows that differ.")
  static final class Check implements Callable<Integer> {
    @CommandLine.Mixin SessionOptions session = new SessionOptions();

    @Option(names = "--router", required = true, description = "The router file the job used.")
    Path router;

    @Option(names = "--input", required = true, description = "The job's --input, in any form 'route' takes (.jsonl[.gz], Parquet, or .f32 with .ids).")
    String input;

    @Option(names = "--out", required = true, description = "The job's output directory (Parquet).")
    String out;

    @Option(names = "--sample", defaultValue = "1000", description = "Prompts to check (default: ${DEFAULT-VALUE}).")
    int sample;

    @Option(names = "--embedder", description = "The job's --embedder (default: the router's).")
    String embedder;

    @Option(names = "--input-tokens", defaultValue = "0", description = "The job's --input-tokens (default: ${DEFAULT-VALUE}).")
    double inputTokens;

    @Override
    public Integer call() throws Exception {
      if (sample < 1) {
        throw new CarrotException("--sample must be at least 1, got " + sample);
      }
      byte[] bytes = RouteJob.routerBytes(router);
      SparkSession spark = session.session("carrot-check");
      List<Row> jobRows = new ArrayList<>();
      Set<String> ids = new LinkedHashSet<>();
      List<Row> inputRows;
      try {
        for (Row row : spark.read().parquet(out).orderBy("id", "mu").limit(Math.multiplyExact(sample, 16)).collectAsList()) {
          if (ids.size() < sample || ids.contains(row.getString(0))) {
            ids.add(row.getString(0));
            jobRows.add(row);
          }
        }
        // only the sampled prompts come back to this JVM; embedding and routing happen here
        inputRows = Inputs.read(spark, input, 0).filter(functions.col("id").isin(ids.toArray())).collectAsList();
      } finally {
        if (session.created) {
          spark.stop();
        }
      }
      Set<String> found = new HashSet<>();
      inputRows.forEach(r -> found.add(r.getString(0)));
      for (String id : ids) {
        if (!found.contains(id)) {
          throw new CarrotException("output row '" + id + "' is not in " + input);
        }
      }
      List<Double> mus = jobRows.stream().map(r -> r.getDouble(1)).distinct().sorted().toList();
      Map<String, Row> again = new HashMap<>();
      for (Row r : RouteJob.routeHere(inputRows, bytes, new RouteJob.Options(mus, embedder, inputTokens))) {
        again.put(r.getString(0) + "\u0000" + r.getDouble(1), r);
      }
      long differ = 0;
      for (Row row : jobRows) {
        Row want = again.get(row.getString(0) + "\u0000" + row.getDouble(1));
        boolean same = true;
        for (int c = 2; c <= 5; c++) {
          same &= want.get(c).equals(row.get(c));
        }
        differ += same ? 0 : 1;
      }
      var predictor = RouteJob.router(bytes).predictor();
      ObjectNode s = Json.MAPPER.createObjectNode();
      s.put("prompts_checked", ids.size());
      s.put("rows_checked", jobRows.size());
      s.put("rows_different", differ);
      s.put("search", predictor instanceof io.carrot.core.predict.knn.KnnPredictor k ? k.index().kind() : predictor.kind());
      System.out.println(Json.COMPACT.writeValueAsString(s));
      return differ == 0 ? 0 : 4;
    }
  }

  @Command(name = "synth", mixinStandardHelpOptions = true, description = "Write seeded synthetic prompt embeddings (and optionally a synthetic KNN router) for scale runs.")
  static final class Synth implements Callable<Integer> {
    @Option(names = "--prompts", required = true, description = "Number of prompt vectors.")
    int prompts;

    @Option(names = "--dimension", defaultValue = "384", description = "Vector dimension (default: ${DEFAULT-VALUE}).")
    int dimension;

    @Option(names = "--seed", defaultValue = "42")
    long seed;

    @Option(names = "--out", required = true, description = "Output .f32 file (an .ids file is written beside it).")
    Path out;

    @Option(names = "--router-out", description = "Also write a synthetic KNN router here.")
    Path routerOut;

    @Option(names = "--router-rows", defaultValue = "10000", description = "Training prompts of the synthetic router (default: ${DEFAULT-VALUE}).")
    int routerRows;

    @Option(names = "--models", defaultValue = "11", description = "Models of the synthetic router (default: ${DEFAULT-VALUE}).")
    int models;

    @Option(names = "--k", defaultValue = "32", description = "k of the synthetic router (default: ${DEFAULT-VALUE}).")
    int k;

    @Override
    public Integer call() {
      if (prompts < 1 || dimension < 1 || models < 1 || routerRows < 1) {
        throw new CarrotException("--prompts, --dimension, --models and --router-rows must be >= 1");
      }
      Synthetic.writePrompts(out, seed, prompts, dimension);
      if (routerOut != null) {
        RouterFile.save(Synthetic.router(seed + 1, routerRows, dimension, models, k), routerOut);
      }
      ArrayNode done = Json.MAPPER.createArrayNode().add(out.toString());
      if (routerOut != null) {
        done.add(routerOut.toString());
      }
      System.out.println(done);
      return 0;
    }
  }
}
