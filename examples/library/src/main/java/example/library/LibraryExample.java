package example.library;

import io.carrot.api.CarrotRouter;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.route.Candidate;
import io.carrot.core.route.Decision;
import java.nio.file.Path;
import java.util.List;

/**
 * Routes prompts with carrot from plain Java.
 *
 * <p>Run with no argument for the router shipped with carrot, or with the path of a router file
 * trained with {@code carrot train}.
 */
public final class LibraryExample {
  private LibraryExample() {}

  public static void main(String[] args) {
    try (CarrotRouter router = args.length > 0 ? CarrotRouter.load(Path.of(args[0])) : CarrotRouter.loadDefault()) {
      System.out.print(report(router));
    }
  }

  static String report(CarrotRouter router) {
    StringBuilder out = new StringBuilder();

    // One prompt: mu = 0 is "best predicted quality", mu = 1 "cheapest".
    Decision d = router.route("What is the value of i^i?", 0.3);
    out.append("What is the value of i^i? -> ").append(d.model()).append('\n');
    for (Candidate c : d.candidates()) {
      out.append(String.format("  %-28s quality %.2f  tokens %6.0f  cost $%.6f  score %+.4f%n",
          c.model(), c.quality(), c.outputTokens(), c.costUsd(), c.score()));
    }

    // A batch, with knobs: never pay more than a cent per request (predicted).
    List<String> prompts = List.of("Write a two-line poem about the sea", "Solve 3x + 7 = 22 for x");
    List<Decision> batch = router.routeAll(prompts, RouteOptions.mu(0.3).withMaxCostUsd(0.01));
    for (int i = 0; i < prompts.size(); i++) {
      out.append(prompts.get(i)).append(" -> ").append(batch.get(i).model()).append('\n');
    }
    return out.toString();
  }
}
