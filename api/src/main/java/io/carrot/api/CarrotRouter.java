package io.carrot.api;

import io.carrot.core.CarrotException;
import io.carrot.core.cost.TokenCounter;
import io.carrot.core.data.PriceTable;
import io.carrot.core.embed.Embedder;
import io.carrot.core.io.RouterFile;
import io.carrot.core.metrics.Point;
import io.carrot.core.predict.Prediction;
import io.carrot.core.route.BudgetPacer;
import io.carrot.core.route.Candidate;
import io.carrot.core.route.Decision;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.route.Router;
import io.carrot.core.route.Support;
import io.carrot.embed.CachingEmbedder;
import io.carrot.embed.Cl100kTokenCounter;
import io.carrot.embed.Embedders;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A ready-to-use router: a trained {@link Router} bound to the embedder it was trained with and a
 * token counter. Immutable and thread-safe: share one instance across threads; the {@code with*}
 * methods return new routers that share the embedder.
 *
 * <pre>{@code
 * try (CarrotRouter router = CarrotRouter.loadDefault()) {
 *   Decision d = router.route("What is the value of i^i?", 0.3);
 *   System.out.println(d.model() + " " + d.chosen().quality() + " " + d.chosen().costUsd());
 *   for (Candidate c : d.candidates()) {       // every model's predictions, best first
 *     System.out.println(c.model() + " " + c.score());
 *   }
 *   if (d.lowSupport()) {                         // the training data hardly covers this prompt
 *     System.out.println("routed like the prompt-blind router: " + d.notes());
 *   }
 *   List<Decision> batch = router.routeAll(List.of("2+2?", "Write a sonnet"), RouteOptions.mu(0.3));
 * }
 * }</pre>
 *
 * <p>Knobs are {@link RouteOptions} (trade-off or budget, allow/deny, cost ceiling, quality floor,
 * support fallback); a live stream held to a budget routes through a {@link #pacer pacer}. Each
 * {@link Decision} carries its candidates, notes and the prompt's {@link Support support}.
 *
 * <p>Every failure is a {@link CarrotException} (unchecked) whose message names what was wrong.
 */
public final class CarrotRouter implements AutoCloseable {
  /** Classpath location of the shipped pretrained router. */
  public static final String DEFAULT_ROUTER_RESOURCE = "/io/carrot/api/default-router.carrot";
  /** Names of the routers shipped in this jar, for {@link #loadShipped(String)}. */
  public static final List<String> SHIPPED = List.of("default", "fast");
  private static final String DEFAULT = "default";

  private final Router router;
  private final Embedder embedder;
  private final TokenCounter tokenCounter;
  private final List<DecisionListener> listeners;

  private CarrotRouter(Router router, Embedder embedder, TokenCounter tokenCounter, List<DecisionListener> listeners) {
    if (embedder.dimension() != router.predictor().dimension()) {
      throw new CarrotException(
          "embedder '" + embedder.id() + "' gives " + embedder.dimension() + "-d vectors but the router was trained on "
              + router.predictor().dimension() + "-d vectors from '" + router.provenance().embedderId() + "'");
    }
    this.router = router;
    this.embedder = embedder;
    this.tokenCounter = tokenCounter;
    this.listeners = List.copyOf(listeners);
  }

  /**
   * Binds a router to an explicit embedder and token counter (for custom pipelines and tests).
   *
   * @throws CarrotException when the embedder's dimension differs from the router's
   */
  public static CarrotRouter of(Router router, Embedder embedder, TokenCounter tokenCounter) {
    return new CarrotRouter(router, embedder, tokenCounter, List.of());
  }

  /**
   * Loads the pretrained router shipped with carrot, with its in-process embedder.
   *
   * @throws CarrotException when the default router is not on the classpath or cannot be read
   */
  public static CarrotRouter loadDefault() {
    return loadShipped(DEFAULT);
  }

  /** True when the shipped default router is on the classpath, i.e. {@link #loadDefault()} can work. */
  public static boolean hasDefault() {
    return hasShipped(DEFAULT);
  }

  /**
   * Loads a router shipped with carrot by name ({@link #SHIPPED}) with its embedder: {@code default}
   * (MiniLM, the most accurate) or {@code fast} (the same training data on the static
   * {@code fast} embedder: microseconds to embed a prompt).
   *
   * @throws CarrotException when the name is unknown or the router is not on the classpath
   */
  public static CarrotRouter loadShipped(String name) {
    return forRouter(readShipped(name));
  }

  /** The trained router shipped under {@code name}, without binding an embedder. */
  public static Router readShipped(String name) {
    String resource = shippedResource(name);
    try (InputStream in = CarrotRouter.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new CarrotException("the " + name + " router is missing from the classpath (" + resource + ")");
      }
      return RouterFile.read(in, name + " router");
    } catch (IOException e) {
      throw new CarrotException("cannot read the " + name + " router: " + e.getMessage(), e);
    }
  }

  /** True when the router shipped under {@code name} is on the classpath. */
  public static boolean hasShipped(String name) {
    return SHIPPED.contains(name) && CarrotRouter.class.getResource(shippedResource(name)) != null;
  }

  private static String shippedResource(String name) {
    if (!SHIPPED.contains(name)) {
      throw new CarrotException("shipped router: '" + name + "' is unknown; expected one of " + SHIPPED);
    }
    return name.equals(DEFAULT) ? DEFAULT_ROUTER_RESOURCE : "/io/carrot/api/" + name + "-router.carrot";
  }

  /**
   * Loads a router file and recreates the embedder recorded in it; a name of {@link #SHIPPED}
   * ({@code default}, {@code fast}) that is not a file loads that shipped router.
   *
   * @throws CarrotException when the file is missing or not a readable router file
   */
  public static CarrotRouter load(Path routerFile) {
    String name = routerFile.toString();
    if (SHIPPED.contains(name) && !java.nio.file.Files.exists(routerFile)) {
      return loadShipped(name);
    }
    return forRouter(RouterFile.load(routerFile));
  }

  /**
   * Binds {@code router} to the embedder named in its provenance, with the embedding cache.
   *
   * @throws CarrotException when this carrot cannot recreate that embedder
   */
  public static CarrotRouter forRouter(Router router) {
    String id = router.provenance().embedderId();
    Embedder e;
    try {
      e = Embedders.create(id);
    } catch (CarrotException ex) {
      throw new CarrotException(
          "the router was trained on vectors from '" + id + "', which this carrot cannot recreate; "
              + "route with an explicit embedder that produces the same vectors", ex);
    }
    return new CarrotRouter(router, new CachingEmbedder(e), new Cl100kTokenCounter(), List.of());
  }

  /** The trained router: predictor, prices, cost scale and provenance. */
  public Router router() {
    return router;
  }

  /** The embedder prompts go through; it produces the vectors the router was trained on. */
  public Embedder embedder() {
    return embedder;
  }

  /** Counts a prompt's input tokens for its predicted cost. */
  public TokenCounter tokenCounter() {
    return tokenCounter;
  }

  /** The models this router chooses among, in the predictor's order. */
  public List<String> models() {
    return router.models();
  }

  /** This router with a new price table (no retraining); shares the embedder. */
  public CarrotRouter withPrices(PriceTable prices) {
    return new CarrotRouter(router.withPrices(prices), embedder, tokenCounter, listeners);
  }

  /** This router, also telling {@code listener} about every decision; shares the embedder. */
  public CarrotRouter withListener(DecisionListener listener) {
    List<DecisionListener> all = new ArrayList<>(listeners);
    all.add(listener);
    return new CarrotRouter(router, embedder, tokenCounter, all);
  }

  /**
   * Routes one prompt at trade-off {@code mu} over every model.
   *
   * @throws CarrotException when mu is outside [0, 1]
   */
  public Decision route(String prompt, double mu) {
    return route(prompt, RouteOptions.mu(mu));
  }

  /**
   * Routes one prompt with every knob of {@link RouteOptions} (allow/deny, cost ceiling, quality
   * floor, budget, support fallback); the decision carries the prompt's support.
   *
   * @throws CarrotException when an allowed or denied model is not one of {@link #models()}, the
   *     options leave no model, or they set a budget and the router has no spend curve
   * @throws io.carrot.core.route.ContextLengthExceeded when the prompt fits no allowed model
   */
  public Decision route(String prompt, RouteOptions options) {
    Decision d = router.route(prompt, embedder.embed(prompt), tokenCounter.count(prompt), options);
    notifyListeners(d);
    return d;
  }

  /**
   * Routes the next request of a live stream held to a budget by {@code pacer}: the prompt gets the
   * mu of {@code pacer.next()} for its text, and every other knob of {@code options} applies on
   * top. After the answer, tell the pacer what it really cost, {@code
   * pacer.record(router.costUsd(model, inputTokens, outputTokens))}, or it cannot correct anything.
   *
   * @param options every knob but mu (its mu, and a budget equal to the pacer's, are replaced)
   * @throws CarrotException when {@code options} set another budget than the pacer's
   */
  public Decision route(String prompt, RouteOptions options, BudgetPacer pacer) {
    if (options.hasBudget() && options.budgetUsdPer1000() != pacer.usdPer1000()) {
      throw new CarrotException(
          "options set a budget of " + options.budgetUsdPer1000() + " USD per 1000 requests and the pacer holds "
              + pacer.usdPer1000() + ": route with the pacer (a live stream with real costs) or the budget (a fixed setting)");
    }
    return route(prompt, options.withMu(pacer.next().muFor(prompt)));
  }

  /**
   * A pacer that holds a live stream of requests to a mean real spend of {@code usdPer1000} USD per
   * 1000 requests, for {@link #route(String, RouteOptions, BudgetPacer)}; one per stream, shared by
   * its threads. For a single request or an offline batch, {@link RouteOptions#budget(double)} is a
   * fixed setting instead (see docs/ROUTER.md for how far each lands from the budget).
   *
   * @throws CarrotException when the budget is not a positive number or the router has no spend curve
   */
  public BudgetPacer pacer(double usdPer1000) {
    return new BudgetPacer(router.requireBudgetCurve(), usdPer1000);
  }

  /**
   * What an answer of {@code model} cost at this router's prices, in USD: the token counts the
   * provider reported times the model's input and output prices.
   *
   * @throws CarrotException when {@code model} has no price in this router
   */
  public double costUsd(String model, long inputTokens, long outputTokens) {
    if (inputTokens < 0 || outputTokens < 0) {
      throw new CarrotException("token counts must be >= 0, got " + inputTokens + " input and " + outputTokens + " output");
    }
    return router.prices().price(model).cost(inputTokens, outputTokens);
  }

  /** Routes many prompts, embedding them in one batch; one decision per prompt, in order. */
  public List<Decision> routeAll(List<String> prompts, RouteOptions options) {
    if (prompts.isEmpty()) {
      return List.of();
    }
    double[] tokens = prompts.stream().mapToDouble(tokenCounter::count).toArray();
    List<Decision> out = router.routeAll(prompts, embedder.embed(prompts), tokens, options);
    out.forEach(this::notifyListeners);
    return out;
  }

  /**
   * Predicted spend and quality over {@code steps} evenly spaced values of mu in [0, 1], on sample
   * prompts that stand for the traffic; {@code base} supplies every knob but mu (a budget in it is
   * ignored). Listeners are not told about these decisions.
   *
   * @throws CarrotException when there are no prompts or fewer than 2 steps
   */
  public SpendCurve spendCurve(List<String> samplePrompts, RouteOptions base, int steps) {
    if (samplePrompts.isEmpty()) {
      throw new CarrotException("a spend curve needs at least one sample prompt");
    }
    if (steps < 2) {
      throw new CarrotException("a spend curve needs at least 2 steps of mu, got " + steps);
    }
    float[][] vectors = embedder.embed(samplePrompts);
    Prediction[] preds = router.predictor().predictAll(vectors);
    Support.Level[] levels = router.support().map(s -> s.levels(vectors)).orElse(null);
    int[] tokens = samplePrompts.stream().mapToInt(tokenCounter::count).toArray();
    List<Point> points = new ArrayList<>(steps);
    for (int s = 0; s < steps; s++) {
      double mu = (double) s / (steps - 1);
      double cost = 0;
      double quality = 0;
      for (int i = 0; i < preds.length; i++) {
        Candidate c = router.decide(preds[i], levels == null ? null : levels[i], tokens[i], mu, base).chosen();
        cost += c.costUsd();
        quality += c.quality();
      }
      points.add(new Point(mu, cost / preds.length, quality / preds.length));
    }
    return new SpendCurve(points, samplePrompts.size());
  }

  private void notifyListeners(Decision d) {
    for (DecisionListener l : listeners) {
      l.onDecision(d);
    }
  }

  /** Releases the embedder (native memory of an in-process model); shared by routers made with {@code with*}. */
  @Override
  public void close() {
    embedder.close();
  }
}
