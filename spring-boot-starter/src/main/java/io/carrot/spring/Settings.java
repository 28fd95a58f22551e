package io.carrot.spring;

import com.fasterxml.jackson.databind.JsonNode;
import io.carrot.api.CarrotRouter;
import io.carrot.core.route.RouteOptions;
import io.carrot.api.SpendCurve;
import io.carrot.core.CarrotException;
import io.carrot.core.cost.TokenCounter;
import io.carrot.core.data.PriceTable;
import io.carrot.core.embed.Embedder;
import io.carrot.core.files.Json;
import io.carrot.core.io.RouterFile;
import io.carrot.core.route.BudgetPacer;
import io.carrot.core.route.Router;
import io.carrot.embed.Cl100kTokenCounter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

/**
 * Turns {@link CarrotProperties} into a router and routing options, checking every value against
 * the router so that bad configuration stops the application at start-up with Spring Boot's
 * "invalid value for configuration property" report.
 */
final class Settings {
  private static final Logger LOG = LoggerFactory.getLogger(Settings.class);
  private static final int BUDGET_MU_STEPS = 101;

  private Settings() {}

  /** Loads the configured (or default) router, bound to {@code embedder} when one is given. */
  static CarrotRouter loadRouter(CarrotProperties p, ResourceLoader loader, Embedder embedder, TokenCounter counter) {
    Router router = readRouter(p, loader);
    if (p.prices() != null) {
      router = router.withPrices(router.prices().with(readPrices(p.prices(), loader).asMap()));
    }
    CarrotRouter carrot;
    if (embedder != null) {
      try {
        carrot = CarrotRouter.of(router, embedder, counter != null ? counter : new Cl100kTokenCounter());
      } catch (CarrotException e) {
        throw invalid("carrot.router", p.router(), "The router does not fit the Embedder bean: " + e.getMessage() + ".");
      }
    } else {
      carrot = CarrotRouter.forRouter(router);
    }
    validate(p, carrot.models());
    if (p.budget() != null && p.budgetSamplePrompts() == null && carrot.router().budgetCurve().isEmpty()) {
      throw invalid(
          "carrot.budget-sample-prompts",
          null,
          "It is required with carrot.budget when the router has no budget curve ('carrot train' stores one when the dataset "
              + "has a validation split; carrot.prices drops it): prompts that stand for the traffic, one per line, to predict spend on.");
    }
    return carrot;
  }

  private static Router readRouter(CarrotProperties p, ResourceLoader loader) {
    if (p.router() == null || p.router().isBlank()) {
      if (!CarrotRouter.hasDefault()) {
        throw invalid(
            "carrot.router",
            p.router(),
            "It is not set and the default router is not on the classpath (" + CarrotRouter.DEFAULT_ROUTER_RESOURCE
                + "). Set it to a router file trained with 'carrot train'.");
      }
      try (InputStream in = CarrotRouter.class.getResourceAsStream(CarrotRouter.DEFAULT_ROUTER_RESOURCE)) {
        return RouterFile.read(in, "default router");
      } catch (IOException e) {
        throw new CarrotException("cannot read the default router: " + e.getMessage(), e);
      }
    }
    Resource r = resource(p.router(), loader);
    if (!r.exists()) {
      throw invalid("carrot.router", p.router(), "No router file there (" + r.getDescription() + ").");
    }
    try (InputStream in = r.getInputStream()) {
      return RouterFile.read(in, p.router());
    } catch (IOException | CarrotException e) {
      throw invalid("carrot.router", p.router(), "Not a readable router file: " + e.getMessage() + ".");
    }
  }

  private static PriceTable readPrices(String location, ResourceLoader loader) {
    Resource r = resource(location, loader);
    if (!r.exists()) {
      throw invalid("carrot.prices", location, "No price table there (" + r.getDescription() + ").");
    }
    try (InputStream in = r.getInputStream()) {
      return PriceTable.fromJson(Json.MAPPER.readTree(in), location);
    } catch (IOException | CarrotException e) {
      throw invalid("carrot.prices", location, "Not a readable price table: " + e.getMessage() + ".");
    }
  }

  /** A plain path is a file (relative to the working directory); URLs go through Spring. */
  private static Resource resource(String location, ResourceLoader loader) {
    if (location.contains(":") && !Files.exists(Path.of(location))) {
      return loader.getResource(location);
    }
    return loader.getResource("file:" + Path.of(location).toAbsolutePath());
  }

  /** Checks every model name and range, whether or not a routing chat model is built. */
  static void validate(CarrotProperties p, List<String> routerModels) {
    requireModels("carrot.models", p.models(), routerModels);
    requireModels("carrot.deny", p.deny(), routerModels);
    Set<String> left = new LinkedHashSet<>(p.models().isEmpty() ? routerModels : p.models());
    p.deny().forEach(left::remove);
    if (left.isEmpty()) {
      throw invalid("carrot.deny", p.deny(), "It denies every candidate model " + (p.models().isEmpty() ? routerModels : p.models()) + ".");
    }
    if (p.mu() != null && !(p.mu() >= 0 && p.mu() <= 1)) {
      throw invalid("carrot.mu", p.mu(), "mu must be in [0, 1]: 0 = best predicted quality whatever the price, 1 = cheapest.");
    }
    if (p.budget() != null) {
      if (p.mu() != null) {
        throw invalid("carrot.budget", p.budget(), "Set either carrot.mu or carrot.budget, not both (carrot.mu is " + p.mu() + ").");
      }
      if (!(p.budget() > 0) || p.budget().isInfinite()) {
        throw invalid("carrot.budget", p.budget(), "The budget must be a finite number of USD per 1000 requests > 0.");
      }
    }
    if (p.maxCostUsd() != null && !(p.maxCostUsd() > 0)) {
      throw invalid("carrot.max-cost-usd", p.maxCostUsd(), "The ceiling must be a number of USD > 0.");
    }
    if (p.minQuality() != null && !(p.minQuality() >= 0 && p.minQuality() <= 1)) {
      throw invalid("carrot.min-quality", p.minQuality(), "The quality floor must be in [0, 1].");
    }
    if (p.langchain4j().maxAttempts() < 1) {
      throw invalid("carrot.langchain4j.max-attempts", p.langchain4j().maxAttempts(), "At least one attempt is needed.");
    }
  }

  private static void requireModels(String property, List<String> names, List<String> routerModels) {
    for (int i = 0; i < names.size(); i++) {
      if (!routerModels.contains(names.get(i))) {
        throw invalid(property + "[" + i + "]", names.get(i), "Not one of the router's models " + routerModels + ".");
      }
    }
  }

  /**
   * The options of the properties. With a budget: the router's fixed setting for it
   * ({@link RouteOptions#withBudget}) when there are no sample prompts, else the mu whose spend
   * predicted on them is closest. The routing chat models pace the budget instead ({@link #pacer}).
   */
  static RouteOptions options(CarrotProperties p, CarrotRouter router, ResourceLoader loader) {
    RouteOptions o = knobs(p);
    if (p.mu() == null && p.budget() != null) {
      if (p.budgetSamplePrompts() == null) {
        return o.withBudget(p.budget());
      }
      List<String> sample = readPrompts(p.budgetSamplePrompts(), loader);
      SpendCurve curve = router.spendCurve(sample, o, BUDGET_MU_STEPS);
      double mu = curve.muFor(p.budget());
      LOG.info(
          "carrot: budget {} USD per 1000 requests -> mu {} (predicted {} USD per 1000 on {} sample prompts)",
          p.budget(), mu, String.format("%.4g", curve.usdPer1000At(mu)), sample.size());
      o = o.withMu(mu);
    }
    return o;
  }

  /** Every knob but the budget; mu from {@code carrot.mu}, else 0. */
  private static RouteOptions knobs(CarrotProperties p) {
    RouteOptions o = RouteOptions.mu(p.mu() != null ? p.mu() : 0).withAllow(p.models()).withDeny(p.deny());
    if (p.maxCostUsd() != null) {
      o = o.withMaxCostUsd(p.maxCostUsd());
    }
    if (p.minQuality() != null) {
      o = o.withMinQuality(p.minQuality());
    }
    return o;
  }

  /**
   * The pacer of {@code carrot.budget}: over the spend predicted on the sample prompts when they are
   * set, else over the router's stored budget curve.
   */
  static BudgetPacer pacer(CarrotProperties p, CarrotRouter router, ResourceLoader loader) {
    if (p.budgetSamplePrompts() == null) {
      LOG.info("carrot: budget {} USD per 1000 requests, paced over the router's budget curve", p.budget());
      return router.pacer(p.budget());
    }
    List<String> sample = readPrompts(p.budgetSamplePrompts(), loader);
    LOG.info("carrot: budget {} USD per 1000 requests, paced over the spend predicted on {} sample prompts", p.budget(), sample.size());
    return new BudgetPacer(router.spendCurve(sample, knobs(p), BUDGET_MU_STEPS).budgetCurve(), p.budget());
  }

  static List<String> readPrompts(String location, ResourceLoader loader) {
    Resource r = resource(location, loader);
    if (!r.exists()) {
      throw invalid("carrot.budget-sample-prompts", location, "No file there (" + r.getDescription() + ").");
    }
    List<String> out = new ArrayList<>();
    try (InputStream in = r.getInputStream()) {
      String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R");
      for (int i = 0; i < lines.length; i++) {
        String line = lines[i].strip();
        if (line.isEmpty()) {
          continue;
        }
        if (line.startsWith("{")) {
          JsonNode prompt = Json.MAPPER.readTree(line).get("prompt");
          if (prompt == null || !prompt.isTextual()) {
            throw invalid("carrot.budget-sample-prompts", location, "Line " + (i + 1) + " is JSON without a text field 'prompt'.");
          }
          line = prompt.asText();
        }
        out.add(line);
      }
    } catch (IOException e) {
      throw invalid("carrot.budget-sample-prompts", location, "Cannot read it: " + e.getMessage() + ".");
    }
    if (out.isEmpty()) {
      throw invalid("carrot.budget-sample-prompts", location, "It holds no prompts.");
    }
    return out;
  }

  static InvalidConfigurationPropertyValueException invalid(String property, Object value, String reason) {
    return new InvalidConfigurationPropertyValueException(property, value, reason);
  }
}
