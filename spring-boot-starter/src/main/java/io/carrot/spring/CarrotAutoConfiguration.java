package io.carrot.spring;

import io.carrot.core.CarrotException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import io.carrot.api.CarrotRouter;
import io.carrot.api.DecisionListener;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.cost.TokenCounter;
import io.carrot.core.embed.Embedder;
import io.carrot.core.route.BudgetPacer;
import io.carrot.langchain4j.RoutingChatModel;
import io.carrot.langchain4j.RoutingStreamingChatModel;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.io.ResourceLoader;

/**
 * Auto-configuration of carrot from {@link CarrotProperties}.
 *
 * <ul>
 *   <li>{@code carrotRouter}: the {@link CarrotRouter} from {@code carrot.router} (or the shipped
 *       default), with {@code carrot.prices} applied, bound to the application's {@link Embedder} and
 *       {@link TokenCounter} beans when it has them, and telling every {@link DecisionListener}
 *       bean about its decisions.</li>
 *   <li>{@code carrotRoutingOptions}: the {@link RouteOptions} of {@code carrot.mu} (or
 *       {@code carrot.budget}'s fixed setting), {@code carrot.models}, {@code carrot.deny},
 *       {@code carrot.max-cost-usd} and {@code carrot.min-quality}.</li>
 *   <li>{@code carrotBudgetPacer}: with {@code carrot.budget}, the {@link BudgetPacer} that holds the
 *       routing chat models' requests to it, from the real cost of each answer.</li>
 *   <li>With LangChain4j on the classpath: {@code carrotChatModel} and
 *       {@code carrotStreamingChatModel}, primary beans that route over the application's chat
 *       model beans (one budget stream for both).</li>
 *   <li>With Micrometer: {@link MicrometerDecisionListener}; with Spring Boot's health module: a
 *       {@code carrot} health indicator ({@code management.health.carrot.enabled}).</li>
 * </ul>
 */
@AutoConfiguration
@EnableConfigurationProperties(CarrotProperties.class)
public class CarrotAutoConfiguration {
  /** Bean name of the routing chat model. */
  public static final String CHAT_MODEL_BEAN = "carrotChatModel";

  /** Bean name of the routing streaming chat model. */
  public static final String STREAMING_CHAT_MODEL_BEAN = "carrotStreamingChatModel";

  /** Created by Spring. */
  public CarrotAutoConfiguration() {}

  /**
   * The router, checked against every {@code carrot.*} property that names a model or a range.
   *
   * @param properties the {@code carrot.*} properties
   * @param loader resolves router, price and prompt locations
   * @param embedder an application embedder that replaces the one recorded in the router
   * @param tokenCounter an application token counter that replaces cl100k_base
   * @param listeners told about every decision
   * @return the router
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public CarrotRouter carrotRouter(
      CarrotProperties properties,
      ResourceLoader loader,
      ObjectProvider<Embedder> embedder,
      ObjectProvider<TokenCounter> tokenCounter,
      ObjectProvider<DecisionListener> listeners) {
    CarrotRouter router = Settings.loadRouter(properties, loader, embedder.getIfUnique(), tokenCounter.getIfUnique());
    for (DecisionListener l : listeners.orderedStream().toList()) {
      router = router.withListener(l);
    }
    return router;
  }

  /**
   * The configured knobs; present when {@code carrot.mu} or {@code carrot.budget} is set.
   *
   * @param properties the {@code carrot.*} properties
   * @param router the router they apply to
   * @param loader resolves the budget's sample prompts
   * @return the options
   */
  @Bean
  @ConditionalOnMissingBean
  @Conditional(MuOrBudget.class)
  public RouteOptions carrotRoutingOptions(CarrotProperties properties, CarrotRouter router, ResourceLoader loader) {
    return Settings.options(properties, router, loader);
  }

  /**
   * The budget stream of the routing chat models: {@code carrot.budget} USD per 1000 requests, paced
   * over the router's budget curve (or the spend predicted on {@code carrot.budget-sample-prompts})
   * and fed each answer's reported token usage at the router's prices. Routing through the router
   * bean directly, record real costs in it with {@code pacer.record(usd)}.
   *
   * @param properties the {@code carrot.*} properties
   * @param router the router whose curve and prices apply
   * @param loader resolves the budget's sample prompts
   * @return the pacer
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnProperty(prefix = "carrot", name = "budget")
  public BudgetPacer carrotBudgetPacer(CarrotProperties properties, CarrotRouter router, ResourceLoader loader) {
    return Settings.pacer(properties, router, loader);
  }

  /** Matches when a trade-off is configured directly or through a budget. */
  static final class MuOrBudget extends AnyNestedCondition {
    MuOrBudget() {
      super(ConfigurationPhase.REGISTER_BEAN);
    }

    @ConditionalOnProperty(prefix = "carrot", name = "mu")
    static final class Mu {}

    @ConditionalOnProperty(prefix = "carrot", name = "budget")
    static final class Budget {}
  }

  /** Decision metrics, when Micrometer is on the classpath. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  static class Metrics {
    @Bean
    @ConditionalOnMissingBean
    MicrometerDecisionListener carrotDecisionMetrics(ObjectProvider<MeterRegistry> registry) {
      return new MicrometerDecisionListener(registry);
    }
  }

  /** The health indicator, when Spring Boot's health module is on the classpath. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  @ConditionalOnEnabledHealthIndicator("carrot")
  static class HealthIndicatorConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "carrotHealthIndicator")
    CarrotHealthIndicator carrotHealthIndicator(CarrotRouter router) {
      return new CarrotHealthIndicator(router);
    }
  }

  /** The routing chat models, when LangChain4j and carrot-langchain4j are on the classpath. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({ChatModel.class, RoutingChatModel.class})
  @ConditionalOnBooleanProperty(name = "carrot.langchain4j.enabled", matchIfMissing = true)
  static class LangChain4jConfiguration {
    @Bean(CHAT_MODEL_BEAN)
    @Primary
    @ConditionalOnBean(ChatModel.class)
    @ConditionalOnMissingBean(RoutingChatModel.class)
    RoutingChatModel carrotChatModel(
        CarrotRouter router, ObjectProvider<RouteOptions> options, ObjectProvider<BudgetPacer> pacer,
        CarrotProperties properties, ListableBeanFactory beans) {
      Map<String, ChatModel> models =
          NamedModels.resolve(
              beans,
              ChatModel.class,
              CHAT_MODEL_BEAN,
              properties.langchain4j().models(),
              router.models(),
              m -> m.defaultRequestParameters().modelName());
      if (models.isEmpty()) {
        throw new CarrotException(
            NamedModels.noneMatched("ChatModel", beans.getBeanNamesForType(ChatModel.class), CHAT_MODEL_BEAN, router.models()));
      }
      RoutingChatModel.Builder b = RoutingChatModel.builder()
          .router(router)
          .models(models)
          .options(required(options))
          .maxAttempts(properties.langchain4j().maxAttempts());
      pacer.ifAvailable(b::pacer);
      return b.build();
    }

    @Bean(STREAMING_CHAT_MODEL_BEAN)
    @Primary
    @ConditionalOnBean(StreamingChatModel.class)
    @ConditionalOnMissingBean(RoutingStreamingChatModel.class)
    RoutingStreamingChatModel carrotStreamingChatModel(
        CarrotRouter router, ObjectProvider<RouteOptions> options, ObjectProvider<BudgetPacer> pacer,
        CarrotProperties properties, ListableBeanFactory beans) {
      Map<String, StreamingChatModel> models =
          NamedModels.resolve(
              beans,
              StreamingChatModel.class,
              STREAMING_CHAT_MODEL_BEAN,
              properties.langchain4j().models(),
              router.models(),
              m -> m.defaultRequestParameters().modelName());
      if (models.isEmpty()) {
        throw new CarrotException(
            NamedModels.noneMatched(
                "StreamingChatModel", beans.getBeanNamesForType(StreamingChatModel.class), STREAMING_CHAT_MODEL_BEAN, router.models()));
      }
      RoutingStreamingChatModel.Builder b = RoutingStreamingChatModel.builder()
          .router(router)
          .models(models)
          .options(required(options))
          .maxAttempts(properties.langchain4j().maxAttempts());
      pacer.ifAvailable(b::pacer);
      return b.build();
    }

    private static RouteOptions required(ObjectProvider<RouteOptions> options) {
      RouteOptions o = options.getIfAvailable();
      if (o == null) {
        throw Settings.invalid(
            "carrot.mu",
            null,
            "The routing chat models need a trade-off: set carrot.mu in [0, 1] (0 = best predicted quality, 1 = cheapest) "
                + "or carrot.budget, or turn them off with carrot.langchain4j.enabled=false.");
      }
      return o;
    }
  }
}
