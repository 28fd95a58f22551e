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
import io.carrot.server.upstream.Api;
import io.carrot.server.upstream.Timeouts;
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
 * 127.0.0.1, and carrot servers in front of it route over a synthetic 4-model KNN router with
 * 384-d vectors. The same requests (distinct generated prompts of 40 to 120 words) are timed
 * against the upstream directly and through carrot; the difference is carrot's overhead.
 *
 * <p>The phases are a list of {@link PhaseSpec}s ({@link #phases}), each naming the server it goes
 * through ({@link #SERVERS}: {@code direct}, {@code hash} = a microsecond hash embedder, i.e. the
 * proxy's own overhead, {@code hash-async-log} = the same without waiting for the decision log
 * before the last byte, {@code encoder:<name>} = a real embedder, e.g. {@code fast} (the static
 * table) or {@code minilm} (the transformer, micro-batched by the server), over a synthetic router
 * of its dimension) and the phase its latencies are compared with; every prompt is new, so the
 * server's embedding cache never hits. Concurrency 1 and {@code --concurrency}; {@code streams}: that many
 * streams open at once through carrot, each 20 chunks 25 ms apart, checked to arrive whole.
 * Everything is loopback-only, bounded in count, and stops by itself. To add a phase (another
 * embedder, say), add a server to {@link #SERVERS} and its specs to {@link #phases}.
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
   * @param encoders embedder names ({@code Embedders.create}) that get a one-connection phase
   *     ({@code carrot-<name>}) and a concurrent one ({@code carrot-<name>-concurrent}) each, e.g.
   *     {@code fast} and {@code minilm}
   * @param out summary CSV
   * @param raw per-request CSV, or null
   * @param portkey base URL of a running Portkey AI Gateway (e.g. {@code http://127.0.0.1:8787}) that
   *     gets the phases {@code portkey} and {@code portkey-concurrent}: passthrough to the same echo
   *     upstream, named per request by Portkey's {@code x-portkey-custom-host} header; null for none
   */
  public record Options(
      int requests, int warmup, int concurrency, int streams, List<String> encoders, Path out, Path raw, URI portkey) {
    public Options {
      encoders = List.copyOf(encoders);
      if (portkey != null && (!"http".equals(portkey.getScheme()) || portkey.getHost() == null)) {
        throw new CarrotException("--portkey must be an http://host:port URL of a running gateway, got " + portkey);
      }
      if (requests < 1 || requests > 1_000_000) {
        throw new CarrotException("--requests must be in [1, 1000000], got " + requests);
      }
      if (concurrency < 1 || concurrency > 1000 || streams < 0 || streams > 2000) {
        throw new CarrotException("--concurrency must be in [1, 1000] and --streams in [0, 2000], got " + concurrency + " and " + streams);
      }
    }
  }

  /** One phase's latencies in milliseconds. */
  public record Phase(String name, int concurrency, double[] millis, int errors, double seconds, String reference) {
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

  /**
   * One phase: {@code requests} requests through {@code server} ({@code direct} = the upstream
   * itself) at {@code concurrency}; its overhead is taken over the phase named {@code reference}
   * (null for none).
   */
  public record PhaseSpec(String name, String server, boolean stream, int concurrency, String reference) {}

  /** A carrot server under test: its embedder and whether answers wait for their log rows. */
  public record ServerSpec(String name, java.util.function.Supplier<Embedder> embedder, boolean durableLog, boolean embedding) {}

  /** The servers phases go through, besides {@code direct}. */
  public static final List<ServerSpec> SERVERS = List.of(
      new ServerSpec("hash", () -> new HashEmbedder(DIMENSION), true, false),
      new ServerSpec("hash-async-log", () -> new HashEmbedder(DIMENSION), false, false));

  /** Server names of the encoder phases: this prefix and the embedder's name. */
  private static final String ENCODER = "encoder:";
  /** Server name of the Portkey phases, an external gateway in front of the same upstream. */
  private static final String PORTKEY = "portkey";

  /** The phases for {@code o}, in the order they run. */
  public static List<PhaseSpec> phases(Options o) {
    int c = o.concurrency();
    List<PhaseSpec> out = new ArrayList<>(List.of(
        new PhaseSpec("direct", "direct", false, 1, null),
        new PhaseSpec("carrot-hash", "hash", false, 1, "direct"),
        new PhaseSpec("carrot-hash-async-log", "hash-async-log", false, 1, "direct")));
    if (o.portkey() != null) {
      out.add(new PhaseSpec(PORTKEY, PORTKEY, false, 1, "direct"));
    }
    out.addAll(List.of(
        new PhaseSpec("direct-concurrent", "direct", false, c, null),
        new PhaseSpec("carrot-hash-concurrent", "hash", false, c, "direct-concurrent"),
        new PhaseSpec("carrot-hash-async-log-concurrent", "hash-async-log", false, c, "direct-concurrent")));
    if (o.portkey() != null) {
      out.add(new PhaseSpec(PORTKEY + "-concurrent", PORTKEY, false, c, "direct-concurrent"));
    }
    if (o.streams() > 0) {
      out.add(new PhaseSpec("streams", "hash", true, o.streams(), null));
    }
    for (String name : o.encoders()) {
      String phase = "carrot-" + name.replaceAll("[^A-Za-z0-9-]", "-");
      out.add(new PhaseSpec(phase, ENCODER + name, false, 1, "direct"));
      out.add(new PhaseSpec(phase + "-concurrent", ENCODER + name, false, c, "direct-concurrent"));
    }
    return out;
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
    Map<String, CarrotServer> servers = new LinkedHashMap<>();
    Map<String, Embedder> embedders = new LinkedHashMap<>();
    try {
      String direct = "http://127.0.0.1:" + stub.port() + "/v1/chat/completions";
      for (PhaseSpec spec : phases(o)) {
        String url = direct;
        String model = "large";
        Map<String, String> headers = Map.of();
        if (spec.server().equals(PORTKEY)) {
          url = o.portkey().resolve("/v1/chat/completions").toString();
          // Portkey's passthrough to an OpenAI-compatible host it is told about per request
          headers = Map.of("x-portkey-provider", "openai",
              "x-portkey-custom-host", "http://127.0.0.1:" + stub.port() + "/v1",
              "Authorization", "Bearer bench");
        } else if (!spec.server().equals("direct")) {
          CarrotServer s = servers.get(spec.server());
          if (s == null) {
            boolean encoder = spec.server().startsWith(ENCODER);
            ServerSpec ss = encoder
                ? new ServerSpec(spec.server(), () -> Embedders.create(spec.server().substring(ENCODER.length())), true, true)
                : SERVERS.stream().filter(x -> x.name().equals(spec.server())).findFirst()
                    .orElseThrow(() -> new CarrotException("no bench server '" + spec.server() + "'; expected one of "
                        + SERVERS.stream().map(ServerSpec::name).toList() + " or " + ENCODER + "<embedder>"));
            Embedder e = ss.embedder().get();
            embedders.put(ss.name(), e);
            // each encoder routes over a synthetic router of its own dimension
            s = server(syntheticRouter(e.dimension()), e, stub.port(), tmp.resolve(ss.name().replace(':', '-') + ".db"), ss.durableLog());
            servers.put(ss.name(), s);
          }
          url = "http://127.0.0.1:" + s.port() + "/v1/chat/completions";
          model = "carrot:mu=0.2";
        }
        say.accept("phase " + spec.name() + ": " + (spec.stream() ? spec.concurrency() + " streams at once" : spec.concurrency()
            + " at a time, " + o.requests() + " requests"));
        int n = spec.stream() ? spec.concurrency() : o.requests();
        int warm = spec.stream() ? Math.min(o.warmup(), spec.concurrency()) : o.warmup();
        phases.add(phase(spec, new Target(http, url, model, headers), warm, n, prompts));
      }
      for (Map.Entry<String, CarrotServer> e : servers.entrySet()) {
        if (e.getKey().startsWith(ENCODER)) {
          Metrics.Histogram embedding = e.getValue().metrics().histogram("carrot_embedding_seconds", "", Metrics.LATENCY_BUCKETS);
          say.accept(String.format(Locale.ROOT, "%s (%s): server-side embedding time mean %.3f ms over %d prompts (warm-up included)%s",
              e.getKey().substring(ENCODER.length()), embedders.get(e.getKey()).id(), embedding.sum() / embedding.count() * 1000,
              embedding.count(), batches(e.getValue())));
        }
      }
      CarrotServer hash = servers.get("hash");
      if (hash != null) {
        Metrics.Histogram wait = hash.metrics().histogram("carrot_log_durable_wait_seconds", "", Metrics.LATENCY_BUCKETS);
        say.accept(String.format(Locale.ROOT, "server-side wait for the durable log row: mean %.3f ms over %d answers",
            wait.sum() / Math.max(1, wait.count()) * 1000, wait.count()));
      }
    } finally {
      servers.values().forEach(CarrotServer::close);
      embedders.values().forEach(Embedder::close);
      http.close();
      stub.stop();
    }
    write(o, phases);
    return phases;
  }

  private static CarrotServer server(Router router, Embedder embedder, int upstreamPort, Path log, boolean durableLog) {
    Map<String, ServerConfig.UpstreamConfig> ups = new LinkedHashMap<>();
    for (String m : MODELS) {
      ups.put(m, new ServerConfig.UpstreamConfig(m, "http://127.0.0.1:" + upstreamPort + "/v1", null, m, null, true, java.util.Set.of(Api.CHAT)));
    }
    ServerConfig c = new ServerConfig(
        "127.0.0.1", 0, null, 0.2, ServerConfig.DEFAULT_MAX_BODY, 3,
        new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(30), Timeouts.DEFAULT_IDLE, Timeouts.DEFAULT_TOTAL), ups,
        List.of(), ServerConfig.DEFAULT_RAISE_MU_FROM,
        new ServerConfig.LogConfig(ServerConfig.sqliteUrl(log), null, null, true).withDurableWaitMs(durableLog ? 2000 : 0), false);
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
    for (String line : metrics.split("\\n")) {
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

  /** Where a phase's requests go: the URL, the model they name and extra headers. */
  private record Target(HttpClient http, String url, String model, Map<String, String> headers) {}

  private static Phase phase(PhaseSpec spec, Target target, int warmup, int requests, Prompts prompts)
      throws InterruptedException {
    run(target, spec.stream(), spec.concurrency(), warmup, prompts, null);
    double[] millis = new double[requests];
    AtomicInteger errors = new AtomicInteger();
    long t0 = System.nanoTime();
    run(target, spec.stream(), spec.concurrency(), requests, prompts, (i, ms, ok) -> {
      millis[i] = ms;
      if (!ok) {
        errors.incrementAndGet();
      }
    });
    return new Phase(spec.name(), spec.concurrency(), millis, errors.get(), (System.nanoTime() - t0) / 1e9, spec.reference());
  }

  private interface Sink {
    void accept(int i, double millis, boolean ok);
  }

  private static void run(
      Target target, boolean stream, int concurrency, int requests, Prompts prompts, Sink sink)
      throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < concurrency; w++) {
        workers.add(pool.submit(() -> {
          int i;
          while ((i = next.getAndIncrement()) < requests) {
            var body = Json.COMPACT.createObjectNode();
            body.put("model", target.model());
            body.putArray("messages").addObject().put("role", "user").put("content", prompts.next());
            if (stream) {
              body.put("stream", true);
            }
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(target.url()))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
            target.headers().forEach(req::header);
            long t = System.nanoTime();
            boolean ok;
            try {
              HttpResponse<String> r = target.http().send(req.build(), HttpResponse.BodyHandlers.ofString());
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

  /**
   * Summary lines: each phase, then the overhead of each carrot phase over its direct phase and the
   * cost of the durable log (waiting for the row before the last byte) at each concurrency.
   */
  public static List<String> summary(List<Phase> phases) {
    List<String> out = new ArrayList<>();
    out.add(String.format(Locale.ROOT, "%-34s %6s %5s %9s %9s %9s %9s %10s %6s",
        "phase", "n", "conc", "p50 ms", "p90 ms", "p99 ms", "mean ms", "req/s", "errors"));
    for (Phase p : phases) {
      out.add(String.format(Locale.ROOT, "%-34s %6d %5d %9.3f %9.3f %9.3f %9.3f %10.1f %6d",
          p.name(), p.millis().length, p.concurrency(), p.percentile(50), p.percentile(90), p.percentile(99), p.mean(),
          p.perSecond(), p.errors()));
    }
    for (Phase p : phases) {
      Phase ref = p.reference() == null ? null : find(phases, p.reference());
      if (ref != null) {
        out.add(String.format(Locale.ROOT, "overhead of %s over %s: p50 %.3f ms, p99 %.3f ms",
            p.name(), ref.name(), p.percentile(50) - ref.percentile(50), p.percentile(99) - ref.percentile(99)));
      }
    }
    for (String suffix : new String[] {"", "-concurrent"}) {
      Phase durable = find(phases, "carrot-hash" + suffix);
      Phase async = find(phases, "carrot-hash-async-log" + suffix);
      if (durable != null && async != null) {
        out.add(String.format(Locale.ROOT, "durable log (row stored before the last byte) at concurrency %d: p50 %+.3f ms, p99 %+.3f ms",
            durable.concurrency(), durable.percentile(50) - async.percentile(50), durable.percentile(99) - async.percentile(99)));
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
    StringBuilder sb = new StringBuilder(
        "phase,requests,concurrency,p50_ms,p90_ms,p99_ms,mean_ms,requests_per_s,errors,reference,overhead_p50_ms,overhead_p99_ms\n");
    for (Phase p : phases) {
      Phase ref = p.reference() == null ? null : find(phases, p.reference());
      sb.append(String.format(Locale.ROOT, "%s,%d,%d,%.4f,%.4f,%.4f,%.4f,%.2f,%d,%s,%s,%s%n",
          p.name(), p.millis().length, p.concurrency(), p.percentile(50), p.percentile(90), p.percentile(99), p.mean(),
          p.perSecond(), p.errors(), ref == null ? "" : ref.name(),
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
