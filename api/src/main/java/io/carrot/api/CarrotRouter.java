package io.carrot.api;

import io.carrot.core.CarrotException;
import io.carrot.core.cost.TokenCounter;
import io.carrot.core.data.PriceTable;
import io.carrot.core.embed.Embedder;
import io.carrot.core.io.RouterFile;
import io.carrot.core.route.Decision;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.route.Router;
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
 * token counter. Thread-safe.
 *
 * <pre>{@code
 * try (CarrotRouter router = CarrotRouter.loadDefault()) {
 *   Decision d = router.route("What is the value of i^i?", 0.3);
 *   System.out.println(d.model());
 * }
 * }</pre>
 */
public final class CarrotRouter implements AutoCloseable {
  /** Classpath location of the shipped pretrained router. */
  public static final String DEFAULT_ROUTER_RESOURCE = "/io/carrot/api/default-router.carrot";

  private final Router router;
  private final Embedder embedder;
  private final TokenCounter tokenCounter;

  private CarrotRouter(Router router, Embedder embedder, TokenCounter tokenCounter) {
    if (embedder.dimension() != router.predictor().dimension()) {
      throw new CarrotException(
          "embedder '" + embedder.id() + "' gives " + embedder.dimension() + "-d vectors but the router was trained on "
              + router.predictor().dimension() + "-d vectors from '" + router.provenance().embedderId() + "'");
    }
    this.router = router;
    this.embedder = embedder;
    this.tokenCounter = tokenCounter;
  }

  /** Binds a router to an explicit embedder and token counter (for custom pipelines and tests). */
  public static CarrotRouter of(Router router, Embedder embedder, TokenCounter tokenCounter) {
    return new CarrotRouter(router, embedder, tokenCounter);
  }

  /** Loads the pretrained router shipped with carrot, with its in-process embedder. */
  public static CarrotRouter loadDefault() {
    try (InputStream in = CarrotRouter.class.getResourceAsStream(DEFAULT_ROUTER_RESOURCE)) {
      if (in == null) {
        throw new CarrotException("the default router is missing from the classpath (" + DEFAULT_ROUTER_RESOURCE + ")");
      }
      return forRouter(RouterFile.read(in, "default router"));
    } catch (IOException e) {
      throw new CarrotException("cannot read the default router: " + e.getMessage(), e);
    }
  }

  /** Loads a router file and recreates the embedder recorded in it. */
  public static CarrotRouter load(Path routerFile) {
    return forRouter(RouterFile.load(routerFile));
  }

  /** Binds {@code router} to the embedder named in its provenance, with the embedding cache. */
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
    return new CarrotRouter(router, new CachingEmbedder(e), new Cl100kTokenCounter());
  }

  public Router router() {
    return router;
  }

  public Embedder embedder() {
    return embedder;
  }

  public TokenCounter tokenCounter() {
    return tokenCounter;
  }

  public List<String> models() {
    return router.models();
  }

  /** This router with a new price table (no retraining); shares the embedder. */
  public CarrotRouter withPrices(PriceTable prices) {
    return new CarrotRouter(router.withPrices(prices), embedder, tokenCounter);
  }

  /** Routes one prompt at trade-off {@code mu} over every model. */
  public Decision route(String prompt, double mu) {
    return route(prompt, RouteOptions.mu(mu));
  }

  /** Routes one prompt. */
  public Decision route(String prompt, RouteOptions options) {
    return router.route(embedder.embed(prompt), tokenCounter.count(prompt), options);
  }

  /** Routes many prompts, embedding them in one batch. */
  public List<Decision> routeAll(List<String> prompts, RouteOptions options) {
    float[][] vectors = embedder.embed(prompts);
    List<Decision> out = new ArrayList<>(prompts.size());
    for (int i = 0; i < prompts.size(); i++) {
      out.add(router.route(vectors[i], tokenCounter.count(prompts.get(i)), options));
    }
    return out;
  }

  @Override
  public void close() {
    embedder.close();
  }
}
