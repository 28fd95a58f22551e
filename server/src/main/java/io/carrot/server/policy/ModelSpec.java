package io.carrot.server.policy;

import io.carrot.server.ApiError;
import java.util.Collection;

/**
 * The {@code model} of a request, parsed.
 *
 * <ul>
 *   <li>{@code carrot}: the CARROT rule at the server's default {@code mu};</li>
 *   <li>{@code carrot:mu=0.2}: the rule at that {@code mu} in [0, 1];</li>
 *   <li>{@code carrot:budget=1.5}: a mean real spend of 1.5 USD per 1000 requests, paced over the
 *       client's stream of requests at that budget;</li>
 *   <li>{@code carrot:max-cost=0.002}: the rule at the default {@code mu} among the models
 *       predicted to cost at most 0.002 USD for this request;</li>
 *   <li>{@code carrot:min-quality=0.8}: the cheapest model predicted to reach that quality;</li>
 *   <li>an upstream's name: no routing, the request goes to that upstream as it is.</li>
 * </ul>
 */
public sealed interface ModelSpec {
  /** The name clients ask for to be routed. */
  String CARROT = "carrot";

  /** The CARROT rule; {@code mu} is NaN for "the server's default". */
  record Mu(double mu) implements ModelSpec {
    public boolean isDefault() {
      return Double.isNaN(mu);
    }
  }

  /** A mean real spend of {@code usdPer1000} USD per 1000 requests over the client's stream. */
  record Budget(double usdPer1000) implements ModelSpec {}

  /** A ceiling of {@code usd} on this request's predicted cost. */
  record MaxCost(double usd) implements ModelSpec {}

  /** The cheapest candidate whose predicted quality is at least {@code quality}. */
  record MinQuality(double quality) implements ModelSpec {}

  /** A named upstream, no routing. */
  record Passthrough(String upstream) implements ModelSpec {}

  /** Parses {@code model}; {@code upstreams} are the names that may be asked for directly. */
  static ModelSpec parse(String model, Collection<String> upstreams) {
    if (model.equals(CARROT)) {
      return new Mu(Double.NaN);
    }
    if (model.startsWith(CARROT + ":")) {
      String knob = model.substring(CARROT.length() + 1);
      int eq = knob.indexOf('=');
      if (eq < 0) {
        throw ApiError.badRequest("model", "model '" + model + "': expected carrot:KNOB=VALUE with KNOB one of mu, budget, max-cost, min-quality");
      }
      String name = knob.substring(0, eq);
      String value = knob.substring(eq + 1);
      double v = number(model, name, value);
      return switch (name) {
        case "mu" -> {
          if (!(v >= 0 && v <= 1)) {
            throw ApiError.badRequest("model", "model '" + model + "': mu must be in [0, 1], got " + value);
          }
          yield new Mu(v);
        }
        case "budget" -> {
          if (!(v > 0)) {
            throw ApiError.badRequest(
                "model", "model '" + model + "': budget must be a number of USD per 1000 requests > 0, got " + value);
          }
          yield new Budget(v);
        }
        case "max-cost" -> {
          if (!(v > 0)) {
            throw ApiError.badRequest(
                "model", "model '" + model + "': max-cost must be a number of USD per request > 0, got " + value);
          }
          yield new MaxCost(v);
        }
        case "min-quality" -> {
          if (!(v >= 0 && v <= 1)) {
            throw ApiError.badRequest("model", "model '" + model + "': min-quality must be in [0, 1], got " + value);
          }
          yield new MinQuality(v);
        }
        default -> throw ApiError.badRequest(
            "model", "model '" + model + "': unknown knob '" + name + "'; expected mu, budget, max-cost or min-quality");
      };
    }
    if (upstreams.contains(model)) {
      return new Passthrough(model);
    }
    throw ApiError.unknownModel(model, upstreams.toString());
  }

  private static double number(String model, String knob, String value) {
    try {
      double v = Double.parseDouble(value);
      if (Double.isFinite(v)) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below with the knob's name
    }
    throw ApiError.badRequest("model", "model '" + model + "': " + knob + " must be a number, got '" + value + "'");
  }
}
