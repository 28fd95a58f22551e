package io.carrot.cli;

import io.carrot.api.CarrotRouter;
import io.carrot.api.DecisionJson;
import io.carrot.core.CarrotException;
import io.carrot.core.files.Json;
import io.carrot.core.route.Decision;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.route.Router;
import io.carrot.embed.Cl100kTokenCounter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "route",
    mixinStandardHelpOptions = true,
    description = {
      "Route prompts: print the model the router picks for each.",
      "Prompts come from the arguments, or one per line on standard input.",
      "Each decision carries a support figure: how well the router's training data covers the prompt (a percentile",
      "of the training prompts' own nearest-neighbour similarities). A low-support prompt is flagged (a note, and",
      "\"low_support\": true in --json) and routed like the prompt-blind router; see docs/ROUTER.md."
    })
final class RouteCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--router", paramLabel = "FILE", description = "Router file (default: the shipped pretrained router).")
  Path router;

  @Option(names = "--mu", defaultValue = "0.0", paramLabel = "X",
      description = "Trade-off in [0, 1]: 0 = best predicted quality, 1 = cheapest (default: ${DEFAULT-VALUE}).")
  double mu;

  @Option(names = "--models", split = ",", paramLabel = "a,b,...", description = "Only these models may be chosen.")
  List<String> models;

  @Option(names = "--deny", split = ",", paramLabel = "a,b,...", description = "These models are never chosen.")
  List<String> deny;

  @Option(names = "--budget", paramLabel = "USD_PER_1000",
      description = {"Spend target in USD per 1000 requests; overrides --mu. The router's stored validation spend curve",
          "gives two neighbouring mu, mixed per prompt (by a hash of its text) so the expected spend is the target."})
  Double budget;

  @Option(names = "--min-quality", paramLabel = "Q",
      description = "The cheapest model whose predicted quality is at least Q (the best predicted one when none is).")
  Double minQuality;

  @Option(names = "--max-cost-usd", paramLabel = "X", description = "Drop models whose predicted cost for the request exceeds X USD.")
  Double maxCostUsd;

  @Option(names = "--no-support-fallback",
      description = "Use the estimator's predictions even where support is low (for comparisons; default: fall back toward the model priors).")
  boolean noSupportFallback;

  @Option(names = "--json", description = "One JSON object per prompt with every candidate's predictions.")
  boolean json;

  @Parameters(paramLabel = "PROMPT", arity = "0..*", description = "Prompts to route (default: read standard input).")
  List<String> prompts;

  @Override
  public Integer call() throws IOException {
    // checked before any slow work, so a bad knob fails at once, named as the user typed it
    if (!(mu >= 0 && mu <= 1)) {
      throw new CarrotException("--mu must be in [0, 1], got " + mu);
    }
    if (budget != null && !(budget > 0 && budget < Double.POSITIVE_INFINITY)) {
      throw new CarrotException("--budget must be a spend in USD per 1000 requests > 0, got " + budget);
    }
    if (minQuality != null && !(minQuality >= 0 && minQuality <= 1)) {
      throw new CarrotException("--min-quality must be a predicted quality in [0, 1], got " + minQuality);
    }
    if (maxCostUsd != null && !(maxCostUsd > 0)) {
      throw new CarrotException("--max-cost-usd must be a cost in USD > 0, got " + maxCostUsd);
    }
    // --budget only replaces mu later
    RouteOptions options = RouteOptions.mu(mu)
        .withAllow(models == null ? Set.of() : new LinkedHashSet<>(models))
        .withDeny(deny == null ? Set.of() : new LinkedHashSet<>(deny));
    if (budget != null) {
      options = options.withBudget(budget);
    }
    if (minQuality != null) {
      options = options.withMinQuality(minQuality);
    }
    if (maxCostUsd != null) {
      options = options.withMaxCostUsd(maxCostUsd);
    }
    options = options.withSupportFallback(!noSupportFallback);
    List<String> input = prompts;
    if (input == null || input.isEmpty()) {
      input = new ArrayList<>();
      BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isBlank()) {
          input.add(line);
        }
      }
      if (input.isEmpty()) {
        throw new CarrotException("no prompts: pass them as arguments or one per line on standard input");
      }
    }
    var out = spec.commandLine().getOut();
    // the cl100k ranks (100k entries) take a few hundred ms to load: load them on a second core
    // while this thread reads the router and the embedding model, instead of after them
    Thread.ofPlatform().daemon().start(() -> new Cl100kTokenCounter().count("warm up"));
    try (CarrotRouter cr = router == null ? CarrotRouter.loadDefault() : CarrotRouter.load(router)) {
      for (Decision d : cr.routeAll(input, options)) {
        out.println(json ? Json.COMPACT.writeValueAsString(DecisionJson.of(d)) : d.model());
        if (!json) {
          d.notes().forEach(n -> spec.commandLine().getErr().println("note: " + n));
        }
      }
    }
    return 0;
  }

  /**
   * What the shipped router covers, for {@code route --help}: read from the router itself (its
   * support section's training sources, its models, its price table's sources and its
   * provenance), so it never goes stale.
   */
  static String coverage() {
    // the router file alone: no embedder is loaded to print help
    try (java.io.InputStream in = CarrotRouter.class.getResourceAsStream(CarrotRouter.DEFAULT_ROUTER_RESOURCE)) {
      return in == null ? "" : coverage(io.carrot.core.io.RouterFile.read(in, "default router"));
    } catch (IOException | CarrotException e) {
      return "\nThe shipped router cannot be read: " + e.getMessage() + "\n";
    }
  }

  /** The coverage paragraph of {@code r}, one item per line. */
  static String coverage(Router r) {
    var prov = r.provenance();
    StringBuilder b = new StringBuilder("\nThe shipped router (dataset ").append(prov.dataset()).append(", ")
        .append(prov.trainPrompts()).append(" training prompts, trained ").append(prov.createdAt(), 0, Math.min(10, prov.createdAt().length()))
        .append(") covers these kinds of prompts:\n");
    var sources = r.support().map(s -> s.sources()).orElse(java.util.Map.of());
    if (sources.isEmpty()) {
      b.append("  (not recorded in this router file)\n");
    } else {
      sources.forEach((src, n) -> b.append("  ").append(src).append(" (").append(n).append(" prompts)\n"));
    }
    b.append("Other kinds of prompts (chat, creative writing, ...) get low support. Models (").append(r.models().size())
        .append("): ").append(String.join(", ", r.models())).append("\n");
    java.util.Set<String> priceSources = new java.util.TreeSet<>();
    for (String m : r.models()) {
      String src = r.prices().price(m).source();
      int colon = src.indexOf(':');
      priceSources.add(colon > 0 ? src.substring(0, colon) : src.isEmpty() ? "unrecorded" : src);
    }
    b.append("Prices (USD per million tokens, the router's price table) from: ").append(String.join("; ", priceSources))
        .append("; pass a current table with 'carrot serve' or CarrotRouter.withPrices.\n");
    return b.toString();
  }
}
