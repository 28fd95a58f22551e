package io.carrot.spring;

import io.carrot.api.CarrotRouter;
import io.carrot.core.route.Decision;
import io.carrot.core.route.Provenance;
import io.carrot.core.route.RouteOptions;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of the router: UP when a probe prompt goes through embedder, predictor and rule, with the
 * router's provenance as details; DOWN with the error otherwise (e.g. a remote embedder is down).
 * The probe bypasses decision listeners, so health checks do not show up in the metrics.
 */
public final class CarrotHealthIndicator extends AbstractHealthIndicator {
  static final String PROBE = "Health check: what is 2 + 2?";
  private final CarrotRouter router;

  /** Checks {@code router}. */
  public CarrotHealthIndicator(CarrotRouter router) {
    super("carrot router health check failed");
    this.router = router;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    Decision d =
        router
            .router()
            .route(router.embedder().embed(PROBE), router.tokenCounter().count(PROBE), RouteOptions.mu(0.5));
    Provenance p = router.router().provenance();
    builder
        .up()
        .withDetail("models", router.models().size())
        .withDetail("embedder", router.embedder().id())
        .withDetail("dataset", p.dataset())
        .withDetail("trainedAt", p.createdAt())
        .withDetail("probeModel", d.model());
  }
}
