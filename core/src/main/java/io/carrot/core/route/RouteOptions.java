package io.carrot.core.route;

import io.carrot.core.CarrotException;
import java.util.Set;

/**
 * Per-request knobs.
 *
 * @param mu trade-off in [0, 1]: 0 = best predicted quality whatever the price, 1 = cheapest
 * @param allowed models that may be chosen; empty = every model of the router
 */
public record RouteOptions(double mu, Set<String> allowed) {
  /** Validates mu and copies the allowed models. */
  public RouteOptions {
    if (!(mu >= 0 && mu <= 1)) {
      throw new CarrotException("mu must be in [0, 1], got " + mu);
    }
    allowed = allowed == null ? Set.of() : Set.copyOf(allowed);
  }

  /** Every model at trade-off {@code mu}. */
  public static RouteOptions mu(double mu) {
    return new RouteOptions(mu, Set.of());
  }
}
