package io.carrot.server;

import io.carrot.api.CarrotRouter;
import io.carrot.core.CarrotException;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.server.ServerConfig.UpstreamConfig;
import io.carrot.server.auth.Budgets;
import io.carrot.server.auth.ClientKeys;
import io.carrot.server.log.DecisionLog;
import io.carrot.server.metrics.Metrics;
import io.carrot.server.policy.Pacers;
import io.carrot.server.policy.RoutingPolicy;
import io.carrot.server.upstream.EchoUpstream;
import io.carrot.server.upstream.Upstream;
import io.carrot.server.upstream.UpstreamClient;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing proxy: an OpenAI-compatible HTTP server (Javalin on virtual threads) in front of a
 * {@link CarrotRouter} and a set of upstreams.
 *
 * <pre>{@code
 * try (CarrotServer s = CarrotServer.start(ServerConfig.load(path), CarrotRouter.loadDefault(), System::getenv, Clock.systemUTC())) {
 *   s.join();
 * }
 * }</pre>
 *
 * <p>Endpoints: {@code POST /v1/chat/completions}, {@code POST /v1/responses}, {@code POST /v1/embeddings}, {@code POST /v1/route}, {@code GET /v1/models},
 * {@code POST /v1/feedback}, {@code GET /health}, {@code GET /metrics}; docs/server.md describes
 * them. {@link #close()} stops accepting requests, lets running ones finish and stores the whole
 * decision log.
 */
public final class CarrotServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CarrotServer.class);
  private static final Set<String> SELF_COUNTED = Set.of("/v1/chat/completions", "/v1/responses", "/v1/embeddings", "/v1/route");
  private static final Set<String> KNOWN = Set.of("/v1/models", "/v1/feedback", "/health", "/metrics", "/demo/v1/chat/completions");
  /** Idle time allowed on a client connection: long, because models may think for minutes between tokens. */
  private static final long IDLE_TIMEOUT_MS = 10 * 60_000;
  /** How long {@link #close()} waits for running requests. */
  private static final long DRAIN_MS = 30_000;

  private final Javalin app;
  private final DecisionLog log;
  private final UpstreamClient client;
  private final ServerMetrics metrics;
  private final Budgets budgets;
  private final Requests requests;
  private final AtomicBoolean draining;
  private final ScheduledExecutorService purger;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final EmbeddingStack embedding;

  private CarrotServer(
      Javalin app, DecisionLog log, UpstreamClient client, ServerMetrics metrics, Budgets budgets, Requests requests,
      AtomicBoolean draining, ScheduledExecutorService purger, EmbeddingStack embedding) {
    this.embedding = embedding;
    this.app = app;
    this.log = log;
    this.client = client;
    this.metrics = metrics;
    this.budgets = budgets;
    this.requests = requests;
    this.draining = draining;
    this.purger = purger;
  }

  /**
   * Purges the requests older than the last {@code days} UTC days (today included) now, before
   * serving, and then every hour.
   */
  private static ScheduledExecutorService startPurging(DecisionLog log, int days, Budgets budgets) {
    Runnable purge = () -> {
      LocalDate first = budgets.today().minusDays(days - 1L);
      try {
        int n = log.purgeBefore(first);
        if (n > 0) {
          LOG.info("decision log: purged {} requests from before {} (log.retain_days {})", n, first, days);
        }
      } catch (CarrotException e) {
        LOG.warn("decision log: purge failed, retrying in an hour: {}", e.getMessage());
      }
    };
    purge.run();
    ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(
        r -> Thread.ofPlatform().name("carrot-log-purge").daemon().unstarted(r));
    s.scheduleWithFixedDelay(purge, 1, 1, TimeUnit.HOURS);
    return s;
  }

  /**
   * Starts a server.
   *
   * @param router the router, its embedder and token counter
   * @param env looks up environment variables (upstream API keys, the database password)
   * @param clock time source for budget days and log timestamps
   */
  public static CarrotServer start(ServerConfig config, CarrotRouter router, UnaryOperator<String> env, Clock clock) {
    return start(config, router, env, clock, EmbeddingSettings.DEFAULTS);
  }

  /**
   * Starts a server that embeds prompts as {@code embedding} says (cache size, micro-batching).
   *
   * @param router the router, its embedder and token counter; the server routes with the router's
   *     model behind its own cache and batching, and does not close it
   */
  public static CarrotServer start(
      ServerConfig config, CarrotRouter router, UnaryOperator<String> env, Clock clock, EmbeddingSettings embedding) {
    Map<String, ModelPrice> overrides = new LinkedHashMap<>();
    Set<String> routable = new LinkedHashSet<>();
    for (UpstreamConfig u : config.upstreams().values()) {
      if (router.models().contains(u.name())) {
        routable.add(u.name());
      }
      if (u.price() != null) {
        overrides.put(u.name(), u.price());
      }
    }
    if (routable.isEmpty()) {
      throw new CarrotException(
          "none of the upstreams is one of the router's models " + router.models()
              + "; name upstreams after the router's models so it can send requests to them");
    }
    Map<String, ModelPrice> routerOverrides = new LinkedHashMap<>(overrides);
    routerOverrides.keySet().retainAll(router.models());
    CarrotRouter repriced = routerOverrides.isEmpty() ? router : router.withPrices(router.router().prices().with(routerOverrides));
    Pacers pacers = pacers(router, routerOverrides);
    PriceTable prices = repriced.router().prices().with(overrides);
    Map<String, Upstream> upstreams = new LinkedHashMap<>();
    for (UpstreamConfig u : config.upstreams().values()) {
      if (!prices.has(u.name())) {
        throw new CarrotException(
            "upstream '" + u.name() + "' is not one of the router's models, so it needs a price: add upstreams."
                + u.name() + ".price {input_per_mtok, output_per_mtok}");
      }
      String key = null;
      if (u.apiKeyEnv() != null) {
        key = env.apply(u.apiKeyEnv());
        if (key == null || key.isBlank()) {
          throw new CarrotException(
              "upstreams." + u.name() + ".api_key_env names the environment variable " + u.apiKeyEnv() + ", which is not set");
        }
      }
      upstreams.put(u.name(), new Upstream(u.name(), u.baseUrl(), key, u.model(), prices.price(u.name()), u.injectStreamUsage(), u.serves()));
    }
    Set<String> unserved = new LinkedHashSet<>(router.models());
    unserved.removeAll(routable);
    if (!unserved.isEmpty()) {
      LOG.info("router models without an upstream are never chosen: {}", unserved);
    }

    EmbeddingStack stack = EmbeddingStack.around(router.embedder(), embedding);
    CarrotRouter priced = CarrotRouter.of(repriced.router(), stack.embedder, repriced.tokenCounter());
    ServerMetrics metrics = new ServerMetrics(pacers);
    stack.register(metrics.registry);
    DecisionLog log;
    try {
      log = DecisionLog.open(config.log(), env, metrics.registry);
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
    UpstreamClient client = null;
    ScheduledExecutorService purger = null;
    try {
      Budgets budgets = new Budgets(clock, config.raiseMuFrom(), new Budgets.Ledger() {
        @Override
        public double add(String keyId, LocalDate day, double usd) {
          return log.addSpend(keyId, day, usd);
        }

        @Override
        public double get(String keyId, LocalDate day) {
          return log.spend(keyId, day);
        }
      });
      if (config.log().retainDays() > 0) {
        purger = startPurging(log, config.log().retainDays(), budgets);
      }
      ClientKeys keys = new ClientKeys(config.clients());
      if (!keys.enabled()) {
        LOG.warn("no clients in the config: authentication is off and anyone who can reach {}:{} can spend through it",
            config.host(), config.port());
      }
      client = new UpstreamClient(config.timeouts());
      RoutingPolicy policy = new RoutingPolicy(priced.router(), routable, config.defaultMu(), pacers);
      Routing routing = new Routing(priced, policy, budgets, metrics, config.log().storePrompts());
      Requests requests = new Requests(clock, log, metrics, config.log().durableWaitMs());
      ChatProxy chat = new ChatProxy(
          keys, budgets, routing, upstreams, client, metrics, requests, config.maxBodyBytes(), config.maxAttempts(),
          config.log().storePrompts());
      AtomicBoolean draining = new AtomicBoolean();
      Endpoints endpoints = new Endpoints(
          keys, priced, routable, routing, upstreams, log, metrics, requests, config.maxBodyBytes(), budgets,
          config.metricsKeySha256(), draining::get);
      EchoUpstream echo = config.demoEcho() ? new EchoUpstream(router.tokenCounter()) : null;
      Javalin app = Javalin.create(cfg -> {
        cfg.startup.showJavalinBanner = false;
        cfg.startup.showOldJavalinVersionWarning = false;
        cfg.concurrency.useVirtualThreads = true;
        cfg.http.compressionStrategy = CompressionStrategy.NONE;
        cfg.http.maxRequestSize = config.maxBodyBytes();
        cfg.routes.before("/v1/*", ctx -> {
          if (draining.get()) {
            throw new ApiError(503, "server_error", "shutting_down", null, "the server is shutting down; retry on another instance");
          }
        });
        cfg.routes.after(ctx -> {
          // the logged endpoints count themselves when they end (streams end after this handler)
          if (!SELF_COUNTED.contains(ctx.path())) {
            String endpoint = KNOWN.contains(ctx.path()) ? ctx.path() : "other";
            metrics.requests.inc(endpoint, Integer.toString(ctx.statusCode()));
          }
        });
        cfg.routes.post("/v1/chat/completions", chat::chat);
        cfg.routes.post("/v1/responses", chat::responses);
        cfg.routes.post("/v1/embeddings", chat::embeddings);
        cfg.routes.post("/v1/route", endpoints::route);
        cfg.routes.get("/v1/models", endpoints::models);
        cfg.routes.post("/v1/feedback", endpoints::feedback);
        cfg.routes.get("/health", endpoints::health);
        cfg.routes.get("/metrics", endpoints::metrics);
        if (echo != null) {
          cfg.routes.post("/demo/v1/chat/completions", echo::handle);
        }
        cfg.routes.exception(ApiError.class, (e, ctx) -> {
          metrics.errors.inc(e.type());
          ctx.attribute("carrot.error", Boolean.TRUE);
          Http.error(ctx, e);
        });
        cfg.routes.exception(Exception.class, (e, ctx) -> {
          LOG.error("internal error on {} {}", ctx.method(), ctx.path(), e);
          metrics.errors.inc("internal_error");
          ctx.attribute("carrot.error", Boolean.TRUE);
          Http.error(ctx, new ApiError(500, "internal_error", null, null, "internal error; the server log has the details"));
        });
        cfg.routes.error(404, ctx -> {
          if (ctx.attribute("carrot.error") == null) {
            metrics.errors.inc("invalid_request_error");
            Http.error(ctx, ApiError.notFound("unknown_url", "no endpoint " + ctx.method() + " " + ctx.path()
                + "; carrot serves POST /v1/chat/completions, POST /v1/responses, POST /v1/embeddings, POST /v1/route, GET /v1/models, POST /v1/feedback, GET /health, GET /metrics"));
          }
        });
      });
      app.start(config.host(), config.port());
      for (Connector c : app.jettyServer().server().getConnectors()) {
        if (c instanceof ServerConnector sc) {
          sc.setIdleTimeout(IDLE_TIMEOUT_MS);
        }
      }
      String selfHost = config.host().equals("0.0.0.0") || config.host().equals("::") ? "127.0.0.1" : config.host();
      client.self("http://" + (selfHost.contains(":") ? "[" + selfHost + "]" : selfHost) + ":" + app.port());
      LOG.info("carrot serves on http://{}:{}/v1 ({} routable models, {} upstreams, log {})",
          config.host(), app.port(), routable.size(), upstreams.size(), log.describe());
      return new CarrotServer(app, log, client, metrics, budgets, requests, draining, purger, stack);
    } catch (RuntimeException e) {
      if (client != null) {
        client.close();
      }
      if (purger != null) {
        purger.shutdownNow();
      }
      log.close();
      stack.close();
      throw e;
    }
  }

  /**
   * The streams of {@code carrot:budget} requests, over the router's budget curve. The curve was
   * measured at the router's own prices, so an upstream price that changes a router model's price
   * leaves none; an override that repeats the router's price keeps it.
   */
  private static Pacers pacers(CarrotRouter router, Map<String, ModelPrice> routerOverrides) {
    String none = "carrot:budget needs the spend curve that 'carrot train' stores in the router when the dataset has a "
        + "validation split; ";
    if (router.router().budgetCurve().isEmpty()) {
      return Pacers.none(none + "this router has none (use carrot:mu, carrot:max-cost or carrot:min-quality)");
    }
    List<String> repriced = new ArrayList<>();
    routerOverrides.forEach((model, p) -> {
      ModelPrice own = router.router().prices().price(model);
      if (own.inputPerMtok() != p.inputPerMtok() || own.outputPerMtok() != p.outputPerMtok()) {
        repriced.add(model);
      }
    });
    if (!repriced.isEmpty()) {
      LOG.warn("carrot:budget is refused: the price overrides of upstreams {} change the prices the router's budget curve "
          + "was measured at", repriced);
      return Pacers.none(none + "the router's was measured at its own prices, which the price overrides of upstreams "
          + repriced + " change");
    }
    return Pacers.over(router.router().budgetCurve().orElseThrow());
  }

  public int port() {
    return app.port();
  }

  public Metrics metrics() {
    return metrics.registry;
  }

  public DecisionLog log() {
    return log;
  }

  public Budgets budgets() {
    return budgets;
  }

  /** Blocks until {@link #close()} has stopped the server. */
  public void join() throws InterruptedException {
    stopped.await();
  }

  /**
   * Refuses new {@code /v1} requests with 503, waits (up to 30 s) for the running ones, stops the
   * HTTP server and stores the rest of the decision log.
   */
  @Override
  public synchronized void close() {
    if (stopped.getCount() == 0) {
      return;
    }
    draining.set(true);
    long deadline = System.nanoTime() + DRAIN_MS * 1_000_000;
    while (requests.inFlight() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (requests.inFlight() > 0) {
      LOG.warn("stopping with {} requests still running", requests.inFlight());
    }
    app.stop();
    client.close();
    if (purger != null) {
      purger.shutdownNow();
    }
    log.close();
    embedding.close();
    stopped.countDown();
  }
}
