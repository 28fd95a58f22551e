package io.carrot.cli;

import io.carrot.api.CarrotRouter;
import io.carrot.api.DecisionJson;
import io.carrot.api.RoutingOptions;
import io.carrot.core.CarrotException;
import io.carrot.core.files.Json;
import io.carrot.core.route.Decision;
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
      "Prompts come from the arguments, or one per line on standard input."
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
    RoutingOptions options = RoutingOptions.mu(mu)
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
}
