package io.carrot.cli;

import io.carrot.api.CarrotRouter;
import io.carrot.core.CarrotException;
import io.carrot.server.CarrotServer;
import io.carrot.server.EmbeddingSettings;
import io.carrot.server.ServerConfig;
import io.carrot.server.auth.ClientKeys;
import io.carrot.server.bench.LoadBench;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Run the OpenAI-compatible routing proxy: clients ask for model 'carrot' (or 'carrot:mu=0.2', "
          + "'carrot:budget=1.5' USD per 1000 requests on average, 'carrot:max-cost=0.002' USD per request, "
          + "'carrot:min-quality=0.8', or an upstream's name) and each request goes to "
          + "the model the router picks. docs/server.md describes the config file.",
      "Without --config: a local demo (the shipped router, every model answered by a built-in echo "
          + "upstream, no API key needed)."
    },
    subcommands = {ServeCommand.Key.class, ServeCommand.Bench.class})
final class ServeCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "Server config (YAML). Without it: the local demo.")
  Path config;

  @Option(names = "--host", paramLabel = "ADDR", description = "Address to listen on (overrides listen.host; default 127.0.0.1).")
  String host;

  @Option(names = "--port", paramLabel = "N", description = "Port to listen on (overrides listen.port; default 8080; 0 = any free port).")
  Integer port;

  @Option(names = "--router", paramLabel = "FILE", description = "Router file (overrides 'router' in the config; default: the shipped router).")
  Path router;

  @Option(names = "--embedding-cache-mb", defaultValue = "64", paramLabel = "MB",
      description = "Memory for the vectors of recent prompts, so a repeated prompt is not embedded again (default: ${DEFAULT-VALUE}; 0 = off).")
  long cacheMb;

  @Option(names = "--batch-wait-ms", defaultValue = "2", paramLabel = "MS",
      description = "While the transformer embedder is busy, how long a prompt may wait for others to share its batch (default: ${DEFAULT-VALUE}).")
  long batchWaitMs;

  @Option(names = "--max-batch", defaultValue = "32", paramLabel = "N",
      description = "Most prompts of concurrent requests embedded in one call (default: ${DEFAULT-VALUE}; 1 = no batching).")
  int maxBatch;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    if (cacheMb < 0 || cacheMb > (1L << 20)) {
      throw new CarrotException("--embedding-cache-mb must be in [0, 1048576], got " + cacheMb);
    }
    EmbeddingSettings embedding = new EmbeddingSettings(cacheMb << 20, java.time.Duration.ofMillis(batchWaitMs), maxBatch);
    if (port != null && (port < 0 || port > 65535)) {
      throw new CarrotException("--port must be in [0, 65535], got " + port);
    }
    boolean demo = config == null;
    ServerConfig cfg = demo ? null : ServerConfig.load(config);
    Path routerFile = router != null ? router : cfg == null ? null : cfg.router();
    CarrotRouter cr;
    if (routerFile != null) {
      cr = CarrotRouter.load(routerFile);
    } else {
      try {
        cr = CarrotRouter.loadDefault();
      } catch (CarrotException e) {
        throw new CarrotException(e.getMessage() + "; pass a router with --router FILE (make one with "
            + "'carrot train --data data/routerbench_subset --out router.carrot')", e);
      }
    }
    if (demo) {
      Path log = Path.of(System.getProperty("java.io.tmpdir"), "carrot-demo", "log.db");
      cfg = ServerConfig.demo(cr.models(), log);
    }
    cfg = cfg.withListen(host, port);
    CarrotServer server = CarrotServer.start(cfg, cr, System::getenv, Clock.systemUTC(), embedding);
    Thread hook = new Thread(server::close, "carrot-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    String base = "http://" + (cfg.host().contains(":") ? "[" + cfg.host() + "]" : cfg.host()) + ":" + server.port();
    out.println("carrot serves on " + base + "/v1 (" + cr.models().size() + " router models; decision log " + server.log().describe() + ")");
    if (demo) {
      out.println("demo: every model is answered by the built-in echo upstream; no API key is needed. Try:");
      out.println("  curl -s " + base + "/v1/chat/completions -H 'Content-Type: application/json' \\");
      out.println("    -d '{\"model\": \"carrot:mu=0.2\", \"messages\": [{\"role\": \"user\", \"content\": \"What is 17 * 23?\"}]}'");
      out.println("  curl -s " + base + "/v1/route -d '{\"prompt\": \"Prove that there are infinitely many primes.\"}'");
      out.println("For real models: carrot serve --config carrot.yaml (see docs/server.md).");
    }
    out.println("Ctrl-C stops it (running requests finish and the decision log is stored).");
    out.flush();
    server.join();
    return 0;
  }

  @Command(
      name = "key",
      mixinStandardHelpOptions = true,
      description = {
        "Make a new client API key and print it with the config entry that admits it. "
            + "carrot keeps only the key's SHA-256: hand the key to the client, put the entry in the config."
      })
  static final class Key implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--id", defaultValue = "client", paramLabel = "NAME", description = "Name of the key in logs and metrics (default: ${DEFAULT-VALUE}).")
    String id;

    @Option(names = "--budget", paramLabel = "USD", description = "Daily budget in USD (default: none).")
    Double budget;

    @Override
    public Integer call() {
      if (budget != null && !(budget > 0)) {
        throw new CarrotException("--budget must be a number of USD > 0, got " + budget);
      }
      String key = ClientKeys.newKey();
      PrintWriter out = spec.commandLine().getOut();
      out.println("key: " + key);
      out.println("(shown once: give it to the client; carrot stores only its hash)");
      out.println("config entry, under 'clients:':");
      out.println("  - {id: " + id + ", key_sha256: " + ClientKeys.sha256(key)
          + (budget == null ? "" : ", daily_budget_usd: " + budget) + "}");
      return 0;
    }
  }

  @Command(
      name = "bench",
      mixinStandardHelpOptions = true,
      description = {
        "Load-test the proxy on loopback and write a CSV: the latency carrot adds over calling an echo "
            + "upstream directly (p50, p99; with a hash embedder and with each real encoder), requests/s "
            + "at a concurrency (each encoder too), and many streams at once. Bounded: it stops by itself."
      })
  static final class Bench implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--requests", defaultValue = "2000", paramLabel = "N", description = "Timed requests per phase (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--warmup", defaultValue = "500", paramLabel = "N", description = "Untimed requests before each phase (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--concurrency", defaultValue = "32", paramLabel = "N", description = "Clients at once in the throughput phases (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--streams", defaultValue = "200", paramLabel = "N", description = "Streams at once in the streams phase (default: ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--encoders", split = ",", defaultValue = "fast,minilm-q", paramLabel = "a,b,...",
        description = "Embedders that get a one-connection phase (carrot-<name>) and a concurrent one (carrot-<name>-concurrent) "
            + "(default: ${DEFAULT-VALUE}).")
    List<String> encoders;

    @Option(names = "--no-embedding", description = "Skip the phases with real embedders (same as --encoders '').")
    boolean noEmbedding;

    @Option(names = "--out", defaultValue = "serve-bench.csv", paramLabel = "FILE.csv", description = "Summary CSV (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--raw", paramLabel = "FILE.csv", description = "Also write every request's latency here.")
    Path raw;

    @Option(names = "--portkey", paramLabel = "URL",
        description = "Also time a running Portkey AI Gateway at URL (e.g. http://127.0.0.1:8787) in passthrough to the same "
            + "echo upstream: phases portkey and portkey-concurrent.")
    java.net.URI portkey;

    @Override
    public Integer call() throws Exception {
      PrintWriter o = spec.commandLine().getOut();
      LoadBench.Options opts = new LoadBench.Options(
          requests, warmup, concurrency, streams,
          noEmbedding ? List.of() : encoders.stream().filter(e -> !e.isBlank()).toList(), out, raw, portkey);
      var phases = LoadBench.run(opts, line -> {
        spec.commandLine().getErr().println("bench: " + line);
        spec.commandLine().getErr().flush();
      });
      LoadBench.summary(phases).forEach(o::println);
      o.println(String.format(Locale.ROOT, "wrote %s", out));
      return phases.stream().anyMatch(p -> p.errors() > 0) ? 1 : 0;
    }
  }
}
