package io.carrot.server.bench;

import io.carrot.api.CarrotRouter;
import io.carrot.core.CarrotException;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.embed.Embedder;
import io.carrot.core.files.AtomicFiles;
import io.carrot.core.files.Json;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.predict.knn.KnnTrainer;
import io.carrot.core.route.Provenance;
import io.carrot.core.route.Router;
import io.carrot.embed.Cl100kTokenCounter;
import io.carrot.embed.Embedders;
import io.carrot.server.CarrotServer;
import io.carrot.server.ServerConfig;
import io.carrot.server.metrics.Metrics;
import io.carrot.server.upstream.EchoUpstream;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A bounded loopback load test of the proxy. An echo upstream (instant answers) runs on
 * 127.0.0.1, and a carrot server in front of it routes over a synthetic 4-model KNN router with
 * 384-d vectors. The same requests (distinct generated prompts of 40 to 120 words) are timed
 * against the upstream directly and through carrot; the difference is carrot's overhead.
 *
 * <p>Phases: {@code direct} and {@code carrot-hash} (a microsecond hash embedder: the proxy's own
 * overhead) one request at a time; {@code direct-concurrent} and {@code carrot-hash-concurrent} at
 * the given concurrency (requests per second); {@code streams}: that many streams open at once
 * through carrot, each 20 chunks 25 ms apart, checked to arrive whole; then for each encoder
 * (e.g. {@code fast}, the static table, and {@code minilm}, the transformer, micro-batched by the
 * server) {@code carrot-<encoder>} one at a time and {@code carrot-<encoder>-concurrent}, each
 * against its own synthetic router of the encoder's dimension. Every prompt is new, so the
 * server's embedding cache never hits. Everything is loopback-only, bounded in count, and stops
 * by itself.
 */
public final class LoadBench {
  private static final List<String> MODELS = List.of("large", "medium", "small", "tiny");
  private static final int DIMENSION = 384;

  private LoadBench() {}

  /**
   * @param requests timed requests per phase
   * @param warmup untimed requests before each phase
   * @param concurrency clients at once in the concurrent phases
   * @param streams streams at once in the streams phase
   * @param encoders embedder names ({@code Embedders.create}) that get a one-connection and a
   *     concurrent phase each, e.g. {@code fast} and {@code minilm}
   * @param out summary CSV
   * @param raw per-request CSV, or null
   */
  public record Options(
      int requests, int warmup, int concurrency, int streams, List<String> encoders, Path out, Path raw) {
    public Options {
      encoders = List.copyOf(encoders);
      if (requests < 1 || requests > 1_000_000) {
        throw new CarrotException("--requests must be in [1, 1000000], got " + requests);
      }
      if (concurrency < 1 || concurrency > 1000 || streams < 0 || streams > 2000) {
        throw new CarrotException("--concurrency must be in [1, 1000] and --streams in [0, 2000], got " + concurrency + " and " + streams);
      }
    }
  }

  /** One phase's latencies in milliseconds. */
  public record Phase(String name, int concurrency, double[] millis, int errors, double seconds) {
    public double percentile(double p) {
      double[] s = millis.clone();
      Arrays.sort(s);
      if (s.length == 0) {
        return Double.NaN;
      }
      int i = (int) Math.ceil(p / 100 * s.length) - 1;
      return s[Math.max(0, Math.min(s.length - 1, i))];
    }

    public double mean() {
      return Arrays.stream(millis).average().orElse(Double.NaN);
    }

    public double perSecond() {
      return millis.length / seconds;
    }
  }

  /** Runs every phase and writes the CSVs; {@code say} receives progress lines. */
  public static List<Phase> run(Options o, Consumer<String> say) throws IOException, InterruptedException {
    Path tmp = Files.createTempDirectory("carrot-bench");
    Cl100kTokenCounter tokens = new Cl100kTokenCounter();
    EchoUpstream echo = new EchoUpstream(tokens, 25);
    Javalin stub = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.startup.showOldJavalinVersionWarning = false;
      cfg.concurrency.useVirtualThreads = true;
      cfg.http.compressionStrategy = CompressionStrategy.NONE;
      cfg.routes.post("/v1/chat/completions", echo::handle);
    }).start("127.0.0.1", 0);
    List<Phase> phases = new ArrayList<>();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    Prompts prompts = new Prompts(42);
    try {
      String direct = "http://127.0.0.1:" + stub.port() + "/v1/chat/completions";
      Router router = syntheticRouter(DIMENSION);
      try (CarrotServer s = server(router, new HashEmbedder(DIMENSION), stub.port(), tmp.resolve("hash.db"))) {
        String via = "http://127.0.0.1:" + s.port() + "/v1/chat/completions";
        say.accept("phase direct / carrot-hash, one at a time, " + o.requests() + " requests each");
        phases.add(phase("direct", http, direct, "large", false, 1, o.warmup(), o.requests(), prompts));
        phases.add(phase("carrot-hash", http, via, "carrot:mu=0.2", false, 1, o.warmup(), o.requests(), prompts));
        say.accept("phase direct / carrot-hash at concurrency " + o.concurrency());
        phases.add(phase("direct-concurrent", http, direct, "large", false, o.concurrency(), o.warmup(), o.requests(), prompts));
        phases.add(phase("carrot-hash-concurrent", http, via, "carrot:mu=0.2", false, o.concurrency(), o.warmup(), o.requests(), prompts));
        if (o.streams() > 0) {
          say.accept("phase streams: " + o.streams() + " streams at once");
          phases.add(phase("streams", http, via, "carrot:mu=0.2", true, o.streams(), Math.min(o.warmup(), o.streams()), o.streams(), prompts));
        }
      }
      for (String name : o.encoders()) {
        Embedder encoder = Embedders.create(name);
        String phase = "carrot-" + name.replaceAll("[^A-Za-z0-9-]", "-");
        try (CarrotServer s = server(syntheticRouter(encoder.dimension()), encoder, stub.port(), tmp.resolve(phase + ".db"))) {
          String via = "http://127.0.0.1:" + s.port() + "/v1/chat/completions";
          say.accept("phase " + phase + ", one at a time and at concurrency " + o.concurrency() + " (embedder " + encoder.id() + ")");
          phases.add(phase(phase, http, via, "carrot:mu=0.2", false, 1, o.warmup(), o.requests(), prompts));
          phases.add(phase(phase + "-concurrent", http, via, "carrot:mu=0.2", false, o.concurrency(), o.warmup(), o.requests(), prompts));
          Metrics.Histogram embedding = s.metrics().histogram("carrot_embedding_seconds", "", Metrics.LATENCY_BUCKETS);
          say.accept(String.format(Locale.ROOT, "%s: server-side embedding time mean %.3f ms over %d prompts (warm-up included)%s",
              phase, embedding.sum() / embedding.count() * 1000, embedding.count(), batches(s)));
        } finally {
          encoder.close();
        }
      }
    } finally {
      http.close();
      stub.stop();
    }
    write(o, phases);
    return phases;
  }

  private static CarrotServer server(Router router, Embedder embedder, int upstreamPort, Path log) {
    Map<String, ServerConfig.UpstreamConfig> ups = new LinkedHashMap<>();
    for (String m : MODELS) {
      ups.put(m, new ServerConfig.UpstreamConfig(m, "http://127.0.0.1:" + upstreamPort + "/v1", null, m, null, true));
    }
    ServerConfig c = new ServerConfig(
        "127.0.0.1", 0, null, 0.2, ServerConfig.DEFAULT_MAX_BODY, 3, Duration.ofSeconds(5), Duration.ofSeconds(30), ups,
        List.of(), ServerConfig.DEFAULT_RAISE_MU_FROM, new ServerConfig.LogConfig(ServerConfig.sqliteUrl(log), null, null, true), false);
    return CarrotServer.start(c, CarrotRouter.of(router, embedder, new Cl100kTokenCounter()), k -> null, Clock.systemUTC());
  }

  /** The mean micro-batch, when the server batched. */
  private static String batches(CarrotServer s) {
    String text = s.metrics().render();
    double batches = sample(text, "carrot_embedding_batches_total");
    double prompts = sample(text, "carrot_embedding_batched_prompts_total");
    return batches > 0 ? String.format(Locale.ROOT, "; %.0f model calls, mean batch %.1f prompts", batches, prompts / batches) : "";
  }

  private static double sample(String metrics, String name) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    return 0;
  }

  /** 4 models over 2000 seeded random training prompts of {@code dimension} dimensions, k = 32. */
  static Router syntheticRouter(int dimension) {
    Random r = new Random(42);
    int n = 2000;
    float[][] e = new float[n][dimension];
    double[][] q = new double[n][MODELS.size()];
    double[][] t = new double[n][MODELS.size()];
    double[] base = {0.85, 0.75, 0.6, 0.4};
    for (int i = 0; i < n; i++) {
      double norm = 0;
      for (int j = 0; j < dimension; j++) {
        e[i][j] = (float) r.nextGaussian();
        norm += e[i][j] * e[i][j];
      }
      for (int j = 0; j < dimension; j++) {
        e[i][j] /= (float) Math.sqrt(norm);
      }
      for (int m = 0; m < MODELS.size(); m++) {
        q[i][m] = r.nextDouble() < base[m] ? 1 : 0;
        t[i][m] = 100 + r.nextInt(400);
      }
    }
    Predictor p = KnnTrainer.fixed(32).fit(new TrainingSet(MODELS, e, q, t), x -> {});
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    prices.put("large", new ModelPrice(2.5, 10, "bench"));
    prices.put("medium", new ModelPrice(0.6, 2.4, "bench"));
    prices.put("small", new ModelPrice(0.15, 0.6, "bench"));
    prices.put("tiny", new ModelPrice(0.05, 0.1, "bench"));
    Provenance prov = new Provenance("bench-synthetic", "0", n, "any", "cl100k_base", 42, "bench", "2026-01-01T00:00:00Z", Map.of());
    return new Router(p, new PriceTable(prices), 100, prov);
  }

  /** Distinct prompts of 40 to 120 words from a fixed vocabulary. */
  static final class Prompts {
    private static final String[] WORDS = (
        "the a model router cost quality prompt answer question explain compute integral derivative matrix vector "
            + "python function return list sort graph tree node edge path shortest algorithm proof theorem lemma prime "
            + "number sum product series limit history war empire king river mountain climate energy carbon cell gene "
            + "protein enzyme market price demand supply tax law court contract poem story novel character chapter "
            + "translate french german spanish summary essay argument evidence data table chart mean median variance")
        .split(" ");
    private final Random r;

    Prompts(long seed) {
      r = new Random(seed);
    }

    synchronized String next() {
      int n = 40 + r.nextInt(81);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < n; i++) {
        sb.append(i == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
      }
      return sb.append('?').toString();
    }
  }

  private static Phase phase(
      String name, HttpClient http, String url, String model, boolean stream, int concurrency, int warmup, int requests,
      Prompts prompts) throws InterruptedException {
    run(http, url, model, stream, concurrency, warmup, prompts, null);
    double[] millis = new double[requests];
    AtomicInteger errors = new AtomicInteger();
    long t0 = System.nanoTime();
    run(http, url, model, stream, concurrency, requests, prompts, (i, ms, ok) -> {
      millis[i] = ms;
      if (!ok) {
        errors.incrementAndGet();
      }
    });
    return new Phase(name, concurrency, millis, errors.get(), (System.nanoTime() - t0) / 1e9);
  }

  private interface Sink {
    void accept(int i, double millis, boolean ok);
  }

  private static void run(
      HttpClient http, String url, String model, boolean stream, int concurrency, int requests, Prompts prompts, Sink sink)
      throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < concurrency; w++) {
        workers.add(pool.submit(() -> {
          int i;
          while ((i = next.getAndIncrement()) < requests) {
            var body = Json.COMPACT.createObjectNode();
            body.put("model", model);
            body.putArray("messages").addObject().put("role", "user").put("content", prompts.next());
            if (stream) {
              body.put("stream", true);
            }
            HttpRequest req = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
            long t = System.nanoTime();
            boolean ok;
            try {
              HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
              ok = r.statusCode() == 200 && (stream
                  ? r.body().endsWith("data: [DONE]\n\n") && r.body().contains("\"finish_reason\":\"stop\"")
                  : r.body().contains("You asked"));
            } catch (IOException e) {
              ok = false;
            }
            if (sink != null) {
              sink.accept(i, (System.nanoTime() - t) / 1e6, ok);
            }
          }
          return null;
        }));
      }
      for (Future<?> f : workers) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw new CarrotException("a benchmark client failed: " + e.getCause(), e.getCause());
        }
      }
    }
  }

  /** Summary lines: overhead of carrot over the direct calls. */
  public static List<String> summary(List<Phase> phases) {
    List<String> out = new ArrayList<>();
    out.add(String.format(Locale.ROOT, "%-24s %6s %5s %9s %9s %9s %9s %10s %6s",
        "phase", "n", "conc", "p50 ms", "p90 ms", "p99 ms", "mean ms", "req/s", "errors"));
    for (Phase p : phases) {
      out.add(String.format(Locale.ROOT, "%-24s %6d %5d %9.3f %9.3f %9.3f %9.3f %10.1f %6d",
          p.name(), p.millis().length, p.concurrency(), p.percentile(50), p.percentile(90), p.percentile(99), p.mean(),
          p.perSecond(), p.errors()));
    }
    Phase direct = find(phases, "direct");
    for (Phase p : phases) {
      String via = p.name();
      if (direct != null && via.startsWith("carrot-") && !via.endsWith("-concurrent")) {
        out.add(String.format(Locale.ROOT, "overhead of %s over direct: p50 %.3f ms, p99 %.3f ms",
            via, p.percentile(50) - direct.percentile(50), p.percentile(99) - direct.percentile(99)));
      }
    }
    Phase hashC = find(phases, "carrot-hash-concurrent");
    for (Phase p : phases) {
      if (hashC != null && p != hashC && p.name().startsWith("carrot-") && p.name().endsWith("-concurrent")) {
        out.add(String.format(Locale.ROOT, "%s: %.1f requests/s, %.0f%% of carrot-hash-concurrent's",
            p.name(), p.perSecond(), 100 * p.perSecond() / hashC.perSecond()));
      }
    }
    return out;
  }

  private static Phase find(List<Phase> phases, String name) {
    return phases.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
  }

  private static void write(Options o, List<Phase> phases) {
    StringBuilder sb = new StringBuilder("phase,requests,concurrency,p50_ms,p90_ms,p99_ms,mean_ms,requests_per_s,errors,overhead_p50_ms,overhead_p99_ms\n");
    Phase direct = find(phases, "direct");
    Phase directC = find(phases, "direct-concurrent");
    for (Phase p : phases) {
      Phase ref = !p.name().startsWith("carrot-") ? null : p.name().endsWith("-concurrent") ? directC : direct;
      sb.append(String.format(Locale.ROOT, "%s,%d,%d,%.4f,%.4f,%.4f,%.4f,%.2f,%d,%s,%s%n",
          p.name(), p.millis().length, p.concurrency(), p.percentile(50), p.percentile(90), p.percentile(99), p.mean(),
          p.perSecond(), p.errors(),
          ref == null ? "" : String.format(Locale.ROOT, "%.4f", p.percentile(50) - ref.percentile(50)),
          ref == null ? "" : String.format(Locale.ROOT, "%.4f", p.percentile(99) - ref.percentile(99))));
    }
    AtomicFiles.writeString(o.out(), sb.toString());
    if (o.raw() != null) {
      StringBuilder raw = new StringBuilder("phase,request,latency_ms\n");
      for (Phase p : phases) {
        for (int i = 0; i < p.millis().length; i++) {
          raw.append(p.name()).append(',').append(i).append(',').append(String.format(Locale.ROOT, "%.4f", p.millis()[i])).append('\n');
        }
      }
      AtomicFiles.writeString(o.raw(), raw.toString());
    }
  }
}
