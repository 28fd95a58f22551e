package io.carrot.cli;

import io.carrot.api.CarrotRouter;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.files.CsvTable;
import io.carrot.core.index.ExactKnnIndex;
import io.carrot.core.index.VectorIndex;
import io.carrot.core.index.VectorIndexes;
import io.carrot.core.linalg.VectorMath;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.predict.knn.KnnPredictor;
import io.carrot.core.predict.knn.KnnTrainer;
import io.carrot.core.route.Provenance;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.route.Router;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measure routing speed and write a CSV (metric, value, unit, target):",
      "decision time over a synthetic store, end-to-end route time, embedding throughput, training time."
    })
final class BenchCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--out", defaultValue = "bench.csv", paramLabel = "FILE.csv", description = "CSV to write (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--store", defaultValue = "30000", paramLabel = "N", description = "Training store size (default: ${DEFAULT-VALUE}).")
  int store;

  @Option(names = "--models", defaultValue = "11", paramLabel = "M", description = "Models in the synthetic router (default: ${DEFAULT-VALUE}).")
  int models;

  @Option(names = "--iterations", defaultValue = "2000", paramLabel = "N", description = "Timed decisions (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = {"--embedders", "--embedder"}, split = ",", paramLabel = "a,b,...",
      description = "Embedders for the throughput measurement (default: the default router's and fast).")
  List<String> embedderNames;

  @Option(names = "--estimators", split = ",", paramLabel = "a,b,...",
      description = "Also time fitting these estimators on the synthetic store with a validation split of 15%% of its size"
          + " (e.g. knn-low-rank,linear,mlp,ensemble; default: none).")
  List<String> estimators;

  @Option(names = "--route-only",
      description = "Only time end-to-end routes of the shipped routers: no synthetic store, training or embedding throughput"
          + " (for A/B runs of embedder settings such as -Dcarrot.onnx.spin in CARROT_JAVA_OPTS).")
  boolean routeOnly;

  @Option(names = "--route-embedder", paramLabel = "NAME",
      description = "Time the default router's routes with this embedder instead of its own, e.g. minilm-q (same dimension"
          + " required; the decisions are then not the router's, only the timing is meaningful).")
  String routeEmbedder;

  private final List<String[]> rows = new ArrayList<>();

  @Override
  public Integer call() {
    PrintWriter o = spec.commandLine().getOut();
    if (!routeOnly) {
      syntheticStore();
    }
    for (String name : CarrotRouter.SHIPPED) {
      if (CarrotRouter.hasShipped(name)) {
        try (CarrotRouter cr = CarrotRouter.loadShipped(name)) {
          endToEnd(name, cr);
        }
      }
    }
    if (!routeOnly) {
      List<String> embedders = embedderNames != null ? embedderNames
          : List.of(CarrotRouter.readShipped("default").provenance().embedderId(), io.carrot.embed.Embedders.FAST);
      for (String name : embedders) {
        try (var emb = io.carrot.embed.Embedders.create(name)) {
          throughput(name.equals(embedders.get(0)) ? "" : "_" + name.replaceAll("[^A-Za-z0-9]", "_"), emb);
        }
      }
    }
    CsvTable csv = new CsvTable("metric", "value", "unit", "target", "notes");
    for (String[] r : rows) {
      csv.row((Object[]) r);
    }
    csv.write(out);
    for (String[] r : rows) {
      o.printf("%-36s %12s %-10s target %-6s %s%n", r[0], r[1], r[2], r[3], r[4]);
    }
    o.println("wrote " + out);
    return 0;
  }

  /** Training and decision time over a synthetic store of {@code --store} random 384-d prompts. */
  private void syntheticStore() {
    Random rnd = new Random(42);
    int d = 384;
    float[][] e = randomUnit(rnd, store, d);
    List<String> names = new ArrayList<>();
    double[][] q = new double[store][models];
    double[][] t = new double[store][models];
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    for (int m = 0; m < models; m++) {
      names.add("model-" + m);
      prices.put("model-" + m, modelPrice(m));
    }
    for (int i = 0; i < store; i++) {
      for (int m = 0; m < models; m++) {
        q[i][m] = rnd.nextInt(2);
        t[i][m] = rnd.nextInt(1000);
      }
    }
    TrainingSet ts = new TrainingSet(names, e, q, t);

    long t0 = System.nanoTime();
    KnnPredictor p = KnnTrainer.auto().fit(ts, x -> {});
    double trainSecs = (System.nanoTime() - t0) / 1e9;
    record("train_seconds_excluding_embedding", trainSecs, "s", "<= 30", "store=" + store + " models=" + models + " k by 5-fold CV (chose " + p.k() + ")");

    if (estimators != null) {
      // learnable targets (random ones make every estimator stop at once): quality and tokens of
      // each model depend on a few directions of the embedding, as on real data
      Random lr = new Random(7);
      double[][] dirs = new double[4][d];
      for (double[] dir : dirs) {
        for (int k = 0; k < d; k++) {
          dir[k] = lr.nextGaussian() * Math.sqrt(d) / 4;
        }
      }
      double[][] coef = new double[models][5];
      for (double[] c : coef) {
        for (int k = 0; k < 5; k++) {
          c[k] = lr.nextGaussian();
        }
      }
      TrainingSet lts = learnable(lr, store, names, dirs, coef);
      TrainingSet val = learnable(lr, Math.max(10, store * 15 / 100), names, dirs, coef);
      for (String name : estimators) {
        long s0 = System.nanoTime();
        String how = fit(name, lts, val);
        record("train_seconds_" + name, (System.nanoTime() - s0) / 1e9, "s", "<= 300",
            "store=" + store + " validation=" + val.size() + " models=" + models + " learnable targets, excluding embedding" + how);
      }
    }

    // random targets make CV pick the largest k; time decisions at the k real datasets get (16-128)
    KnnPredictor decisionKnn = KnnTrainer.fixed(32).fit(ts, x -> {});
    Router router = decisionRouter(decisionKnn, prices);
    // the same store searched by a full float scan (the default before the int8 prefilter), timed
    // interleaved with the default so both see the same machine load
    Router scanRouter = decisionRouter(decisionKnn.withIndex(new FullScan(new ExactKnnIndex(ts.embeddings()))), prices);
    // the same prefiltered store with one query's scan split over two threads (an option, not the default)
    Router splitRouter = decisionKnn.index() instanceof ExactKnnIndex exact && exact.prefiltered()
        ? decisionRouter(decisionKnn.withIndex(exact.withScanThreads(2)), prices) : null;
    float[][] queries = randomUnit(rnd, 200, d);
    for (int w = 0; w < 500; w++) {
      router.route(queries[w % queries.length], 100, RouteOptions.mu(0.1));
      scanRouter.route(queries[w % queries.length], 100, RouteOptions.mu(0.1));
      if (splitRouter != null) {
        splitRouter.route(queries[w % queries.length], 100, RouteOptions.mu(0.1));
      }
    }
    double[] lat = new double[iterations];
    double[] scanLat = new double[iterations];
    double[] splitLat = new double[iterations];
    Router[] order = splitRouter == null ? new Router[] {router, scanRouter} : new Router[] {router, scanRouter, splitRouter};
    double[][] into = {lat, scanLat, splitLat};
    // interleaved in blocks of DECISION_BLOCK decisions, in a rotating order: every variant sees the
    // same machine load, and inside a block its store is in cache as it is for a server deciding one
    // request after another (one decision each in turn would let the full scan's 46 MB evict the
    // int8 copy before every prefiltered decision)
    for (int b = 0; b < iterations; b += DECISION_BLOCK) {
      for (int v = 0; v < order.length; v++) {
        int which = (v + b / DECISION_BLOCK) % order.length;
        for (int i = b; i < Math.min(iterations, b + DECISION_BLOCK); i++) {
          into[which][i] = timeDecision(order[which], queries[i % queries.length]);
        }
      }
    }
    Arrays.sort(lat);
    Arrays.sort(scanLat);
    String search = decisionKnn.index().kind() + " KNN search (index mode " + VectorIndexes.configuredMode() + (prefiltered(decisionKnn) ? ", int8 prefilter" : "")
        + ") over " + store + " x " + d + ", k=32, " + models + " models, no embedding, Vector API " + (vectorApi() ? "on" : "off");
    record("decision_ms_p50", pct(lat, 0.5), "ms", "<= 1", search + "; 95% interval of the median " + medianInterval(lat));
    record("decision_ms_p99", pct(lat, 0.99), "ms", "", "");
    record("decision_ms_p50_full_scan", pct(scanLat, 0.5), "ms", "", "the same store by a full float scan, interleaved with the above; 95% interval " + medianInterval(scanLat));
    record("decision_agreement_vs_full_scan", agreement(router, scanRouter, queries), "fraction", "1", "same model and same neighbours over " + queries.length + " queries x mu 0, 0.1, 0.5, 1");
    if (splitRouter != null) {
      Arrays.sort(splitLat);
      record("decision_ms_p50_two_threads", pct(splitLat, 0.5), "ms", "", "the same prefiltered store, one query's scan split over two threads (-D"
          + ExactKnnIndex.SCAN_THREADS_PROPERTY + "=2), interleaved with the above; 95% interval " + medianInterval(splitLat)
          + "; agreement with the full scan " + agreement(splitRouter, scanRouter, queries));
    }
  }

  /**
   * Route p50 and p99 of a shipped router, one ~100-token prompt at a time on this thread, every
   * prompt new text (the embedder without its cache); also the fastest route (the one least
   * disturbed by other processes) and the process CPU per route, which a shared machine inflates
   * less than wall time.
   */
  private void endToEnd(String name, CarrotRouter cr) {
    io.carrot.core.embed.Embedder own = cr.embedder() instanceof io.carrot.embed.CachingEmbedder c ? c.delegate() : cr.embedder();
    io.carrot.core.embed.Embedder model = routeEmbedder != null && name.equals("default")
        ? io.carrot.embed.Embedders.create(routeEmbedder) : own;
    try {
      if (model.dimension() != own.dimension()) {
        throw new io.carrot.core.CarrotException("--route-embedder: " + model.id() + " has " + model.dimension()
            + " dimensions; expected " + own.dimension() + " like the default router's " + own.id());
      }
      endToEnd(name, cr, model);
    } finally {
      if (model != own) {
        model.close();
      }
    }
  }

  private void endToEnd(String name, CarrotRouter cr, io.carrot.core.embed.Embedder model) {
    CarrotRouter uncached = CarrotRouter.of(cr.router(), model, cr.tokenCounter());
    int tokens = cr.tokenCounter().count(hundredTokenPrompt(0));
    for (int w = 0; w < 50; w++) {
      uncached.route(hundredTokenPrompt(w + 1), 0.1);
    }
    int n = 300;
    double[] e2e = new double[n];
    long cpu = processCpuNanos();
    for (int i = 0; i < n; i++) {
      String pr = hundredTokenPrompt(1000 + i);
      long s = System.nanoTime();
      uncached.route(pr, 0.1);
      e2e[i] = (System.nanoTime() - s) / 1e6;
    }
    double cpuMs = (processCpuNanos() - cpu) / 1e6 / n;
    Arrays.sort(e2e);
    String suffix = name.equals("default") ? "" : "_" + name;
    record("end_to_end_route_ms_p50" + suffix, pct(e2e, 0.5), "ms", name.equals("default") ? "<= 15" : "<= 2",
        name + " router (" + cr.router().predictor().kind() + "), " + tokens + "-token prompt (cl100k), one thread, embedder " + model.id());
    record("end_to_end_route_ms_p99" + suffix, pct(e2e, 0.99), "ms", "", "");
    record("end_to_end_route_ms_min" + suffix, e2e[0], "ms", "", "the fastest of " + n);
    record("end_to_end_route_cpu_ms" + suffix, cpuMs, "ms", "", "process CPU time per route, all threads");
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Prompts per second embedding 512 new ~100-token prompts in batches of 32. */
  private void throughput(String suffix, io.carrot.core.embed.Embedder emb) {
    List<String> batch = new ArrayList<>();
    for (int i = 0; i < 512; i++) {
      batch.add(hundredTokenPrompt(5000 + i));
    }
    emb.embed(batch.subList(0, 64));
    int rounds = emb instanceof io.carrot.embed.StaticEmbedder ? 20 : 1; // microseconds each: time more of them
    long s = System.nanoTime();
    for (int r = 0; r < rounds; r++) {
      for (int i = 0; i < batch.size(); i += 32) {
        emb.embed(batch.subList(i, Math.min(batch.size(), i + 32)));
      }
    }
    double secs = (System.nanoTime() - s) / 1e9;
    record("embedding_prompts_per_second" + suffix, rounds * batch.size() / secs, "prompts/s",
        emb instanceof io.carrot.embed.StaticEmbedder ? ">= 5000" : ">= 100",
        "batches of 32, ~100-token prompts, " + Runtime.getRuntime().availableProcessors() + " cores, " + emb.id());
  }

  private Router decisionRouter(KnnPredictor knn, Map<String, ModelPrice> prices) {
    return new Router(knn, new PriceTable(prices), 1000, new Provenance("bench", "", store, "random", "none", 42, "", "", Map.of()));
  }

  /** Decisions timed in a row for one variant before the next variant's block. */
  private static final int DECISION_BLOCK = 50;

  private static double timeDecision(Router router, float[] query) {
    long s = System.nanoTime();
    router.route(query, 100, RouteOptions.mu(0.1));
    return (System.nanoTime() - s) / 1e6;
  }

  private static boolean prefiltered(KnnPredictor knn) {
    return knn.index() instanceof ExactKnnIndex e && e.prefiltered();
  }

  /**
   * The fraction of (query, mu) pairs where both routers choose the same model from the same
   * predicted qualities (the neighbours' averages, so the same neighbours).
   */
  private static double agreement(Router a, Router b, float[][] queries) {
    int same = 0;
    int all = 0;
    for (float[] q : queries) {
      for (double mu : new double[] {0, 0.1, 0.5, 1}) {
        var da = a.route(q, 100, RouteOptions.mu(mu));
        var db = b.route(q, 100, RouteOptions.mu(mu));
        all++;
        if (da.model().equals(db.model()) && da.candidates().equals(db.candidates())) {
          same++;
        }
      }
    }
    return (double) same / all;
  }

  /** A distribution-free 95% interval of the median of sorted samples: order statistics n/2 -+ 0.98 sqrt(n). */
  private static String medianInterval(double[] sorted) {
    int n = sorted.length;
    int half = (int) Math.ceil(0.98 * Math.sqrt(n));
    int lo = Math.max(0, n / 2 - half);
    int hi = Math.min(n - 1, n / 2 + half);
    return String.format(Locale.ROOT, "[%.3f, %.3f] ms", sorted[lo], sorted[hi]);
  }

  /** An exact index answering every single query by a full float scan (what its batched path does). */
  private record FullScan(VectorIndex exact) implements VectorIndex {
    @Override
    public int size() {
      return exact.size();
    }

    @Override
    public int dimension() {
      return exact.dimension();
    }

    @Override
    public float[] row(int j) {
      return exact.row(j);
    }

    @Override
    public int[] topK(float[] q, int k, boolean[] excluded) {
      return exact.topK(new float[][] {q}, k, excluded)[0];
    }

    @Override
    public String kind() {
      return exact.kind();
    }
  }

  private void record(String metric, double value, String unit, String target, String notes) {
    rows.add(new String[] {metric, String.format(Locale.ROOT, "%.3f", value), unit, target, notes});
  }

  /** True when the JVM runs with the Vector API module, which Lucene's HNSW scoring uses. */
  private static boolean vectorApi() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  private static double pct(double[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))];
  }

  private static final String[] WORDS =
      ("the a model answer question value compute integral prime number function river city history law physics "
              + "energy cell protein market price tax court theorem proof graph code python list sort string "
              + "chemistry reaction acid temperature pressure volume planet orbit star light wave")
          .split(" ");

  /** A deterministic prompt of about 100 cl100k tokens, different for every seed. */
  static String hundredTokenPrompt(int seed) {
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder("Question " + seed + ":");
    for (int i = 0; i < 90; i++) {
      sb.append(' ').append(WORDS[r.nextInt(WORDS.length)]);
    }
    return sb.append('?').toString();
  }

  private static float[][] randomUnit(Random r, int n, int d) {
    float[][] x = new float[n][d];
    for (float[] row : x) {
      for (int i = 0; i < d; i++) {
        row[i] = (float) r.nextGaussian();
      }
      VectorMath.normalizeInPlace(row);
    }
    return x;
  }

  /** Fits one estimator ({@code auto} fits every candidate, with shared parts, and a validation prediction each). */
  private static String fit(String name, TrainingSet train, TrainingSet val) {
    io.carrot.core.train.Estimators.get(name).fit(train, val, Map.of("k", "auto"), io.carrot.core.ProgressListener.NONE);
    return name.equals(io.carrot.core.train.AutoSelect.NAME) ? "; auto: " + String.join(",", io.carrot.core.train.AutoSelect.CANDIDATES) : "";
  }

  /** The synthetic price of model {@code m}: dearer with the index. */
  private static ModelPrice modelPrice(int m) {
    return new ModelPrice(0.1 * (m + 1), 0.4 * (m + 1), "");
  }

  /** n prompts whose 0/1 quality and token counts follow a logistic / log-linear model of 4 directions. */
  private static TrainingSet learnable(Random r, int n, List<String> names, double[][] dirs, double[][] coef) {
    int d = dirs[0].length;
    int m = names.size();
    float[][] e = randomUnit(r, n, d);
    double[][] q = new double[n][m];
    double[][] t = new double[n][m];
    double[][] in = new double[n][m];
    double[][] cost = new double[n][m];
    List<ModelPrice> prices = new ArrayList<>();
    for (int j = 0; j < m; j++) {
      prices.add(modelPrice(j));
    }
    for (int i = 0; i < n; i++) {
      double[] z = new double[dirs.length];
      for (int a = 0; a < dirs.length; a++) {
        for (int k = 0; k < d; k++) {
          z[a] += dirs[a][k] * e[i][k];
        }
      }
      for (int j = 0; j < m; j++) {
        double logit = coef[j][0] + 1.5 * z[0] + coef[j][1] * z[1] + coef[j][2] * z[2];
        q[i][j] = r.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
        t[i][j] = Math.round(Math.exp(5 + 0.3 * coef[j][3] + 0.5 * z[3] + 0.3 * r.nextGaussian()));
        in[i][j] = 100;
        cost[i][j] = prices.get(j).cost(in[i][j], t[i][j]);
      }
    }
    return new TrainingSet(names, e, q, t, new TrainingSet.Costs(prices, in, cost)); // costs: what auto compares on
  }
}
