package io.carrot.spring;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code carrot.*} properties.
 *
 * <pre>
 * carrot:
 *   router: classpath:routers/support.carrot   # or a file path; unset = the shipped default router
 *   mu: 0.3                                    # or budget: mean USD per 1000 requests, paced
 *   models: [gpt-4o-2024-08-06, gpt-4o-mini-2024-07-18]
 *   langchain4j:
 *     models:
 *       openAiGpt4o: gpt-4o-2024-08-06         # ChatModel bean name: router model name
 * </pre>
 *
 * @param router location of a router file: a file path, or a {@code classpath:} or {@code file:}
 *     URL; unset = the default router shipped with carrot
 * @param mu trade-off in [0, 1] for the routing chat models (0 = best predicted quality, 1 =
 *     cheapest); set this or {@code budget}
 * @param budget target mean spend in USD per 1000 requests, instead of {@code mu}: the routing chat
 *     models are paced to it from each answer's reported token usage at the router's prices,
 *     starting from the router's budget curve (or the spend predicted on {@code budgetSamplePrompts})
 * @param budgetSamplePrompts location of prompts that stand for the traffic, one per line (a line
 *     starting with <code>{</code> is read as JSON with a {@code prompt} field); required with
 *     {@code budget} when the router has no budget curve
 * @param models candidate models (router model names); empty = every model of the router
 * @param deny models never chosen
 * @param maxCostUsd ceiling on a request's predicted cost in USD
 * @param minQuality floor on predicted quality in [0, 1]: the cheapest model predicted to reach it
 * @param prices location of a price table ({@code models.json} format) that overrides or adds
 *     router prices, without retraining
 * @param langchain4j the routing LangChain4j chat models
 */
@ConfigurationProperties("carrot")
public record CarrotProperties(
    String router,
    Double mu,
    Double budget,
    String budgetSamplePrompts,
    List<String> models,
    List<String> deny,
    Double maxCostUsd,
    Double minQuality,
    String prices,
    @DefaultValue Langchain4j langchain4j) {

  /** Normalizes absent lists to empty ones. */
  public CarrotProperties {
    models = models == null ? List.of() : List.copyOf(models);
    deny = deny == null ? List.of() : List.copyOf(deny);
  }

  /**
   * The {@code carrot.langchain4j.*} properties.
   *
   * @param enabled whether to expose the routing {@code ChatModel} and {@code StreamingChatModel}
   *     beans when LangChain4j is on the classpath
   * @param models chat model bean name to router model name; empty = match beans whose name, or
   *     whose configured model name, is a router model name
   * @param maxAttempts how many candidates to try, best first, when models fail
   */
  public record Langchain4j(
      @DefaultValue("true") boolean enabled, Map<String, String> models, @DefaultValue("3") int maxAttempts) {
    /** Normalizes an absent map to an empty one. */
    public Langchain4j {
      models = models == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(models));
    }
  }
}
