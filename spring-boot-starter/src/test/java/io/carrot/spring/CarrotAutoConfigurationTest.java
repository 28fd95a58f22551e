package io.carrot.spring;

import io.carrot.testsupport.FakeChatModels;
import io.carrot.testsupport.TinyRouter;
import static io.carrot.testsupport.FakeChatModels.Behaviour.ANSWER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import io.carrot.api.CarrotRouter;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.cost.TokenCounter;
import io.carrot.core.embed.Embedder;
import io.carrot.core.io.RouterFile;
import io.carrot.core.route.BudgetCurve;
import io.carrot.core.route.BudgetPacer;
import io.carrot.langchain4j.CarrotResponseMetadata;
import io.carrot.langchain4j.RoutingChatModel;
import io.carrot.langchain4j.RoutingStreamingChatModel;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class CarrotAutoConfigurationTest {
  @TempDir static Path dir;
  static Path routerFile;
  /**
   * The tiny router with a budget curve for math traffic: strong (3.02e-3 USD) at mu = 0, cheap
   * (2.02e-5) at 0.6; a budget of 1.52 per 1000 sends the prompts whose hash is below
   * 1.5 / 2.9998 = 0.50003 to mu = 0.6 ("math: 3+3" hashes to 0.622).
   */
  static Path curvedRouterFile;

  @BeforeAll
  static void saveTinyRouter() {
    routerFile = dir.resolve("tiny.carrot");
    RouterFile.save(TinyRouter.router(), routerFile);
    curvedRouterFile = dir.resolve("curved.carrot");
    RouterFile.save(TinyRouter.router().withBudgetCurve(new BudgetCurve(new double[] {0, 0.6}, new double[] {3.02e-3, 2.02e-5})), curvedRouterFile);
  }

  /** The application's embedder and token counter, so the tiny router needs no ONNX model. */
  @Configuration(proxyBeanMethods = false)
  static class Fakes {
    @Bean
    Embedder embedder() {
      return new TinyRouter.FakeEmbedder();
    }

    @Bean
    TokenCounter words() {
      return new TinyRouter.WordCounter();
    }

    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }
  }

  /** Chat model beans named after the router's models. */
  @Configuration(proxyBeanMethods = false)
  static class NamedChatModels {
    @Bean("strong")
    ChatModel strong() {
      return new FakeChatModels.Blocking("strong", ANSWER);
    }

    @Bean("cheap")
    ChatModel cheap() {
      return new FakeChatModels.Blocking("cheap", ANSWER);
    }

    @Bean("strong-stream")
    StreamingChatModel strongStream() {
      return new FakeChatModels.Streaming("strong", ANSWER) {
        @Override
        public ChatRequestParameters defaultRequestParameters() {
          return ChatRequestParameters.builder().modelName("strong").build();
        }
      };
    }

    @Bean("cheap-stream")
    StreamingChatModel cheapStream() {
      return new FakeChatModels.Streaming("cheap", ANSWER) {
        @Override
        public ChatRequestParameters defaultRequestParameters() {
          return ChatRequestParameters.builder().modelName("cheap").build();
        }
      };
    }
  }

  /** Chat models whose bean names say nothing; only their configured model names match. */
  @Configuration(proxyBeanMethods = false)
  static class ConfiguredChatModels {
    @Bean
    ChatModel first() {
      return configured("strong");
    }

    @Bean
    ChatModel second() {
      return configured("cheap");
    }

    static ChatModel configured(String model) {
      return new FakeChatModels.Blocking(model, ANSWER) {
        @Override
        public ChatRequestParameters defaultRequestParameters() {
          return ChatRequestParameters.builder().modelName(model).build();
        }
      };
    }
  }

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(CarrotAutoConfiguration.class))
          .withUserConfiguration(Fakes.class);

  private ApplicationContextRunner tiny() {
    return runner.withPropertyValues("carrot.router=" + routerFile);
  }

  private static InvalidConfigurationPropertyValueException invalid(AssertableApplicationContext context) {
    assertThat(context).hasFailed();
    Throwable t = context.getStartupFailure();
    while (t != null && !(t instanceof InvalidConfigurationPropertyValueException)) {
      t = t.getCause();
    }
    assertThat(t).as("an invalid-property failure in %s", context.getStartupFailure()).isNotNull();
    return (InvalidConfigurationPropertyValueException) t;
  }

  @Test
  void exposesTheRouterAndARoutingChatModelThatRecordsMetrics() {
    tiny()
        .withUserConfiguration(NamedChatModels.class)
        .withPropertyValues("carrot.mu=0.3")
        .run(
            context -> {
              assertThat(context).hasSingleBean(CarrotRouter.class).hasSingleBean(RoutingChatModel.class);
              ChatModel primary = context.getBean(ChatModel.class);
              assertThat(primary).isInstanceOf(RoutingChatModel.class);
              assertThat(((RoutingChatModel) primary).models()).containsOnlyKeys("strong", "cheap");
              assertThat(primary.chat("math: 2+2")).isEqualTo("answer from strong");
              assertThat(primary.chat("hi there")).isEqualTo("answer from cheap");
              assertThat(context.getBean(RouteOptions.class)).isEqualTo(RouteOptions.mu(0.3));

              MeterRegistry registry = context.getBean(MeterRegistry.class);
              assertThat(registry.get(MicrometerDecisionListener.DECISIONS).tag("model", "strong").counter().count()).isEqualTo(1);
              assertThat(registry.get(MicrometerDecisionListener.DECISIONS).tag("model", "cheap").counter().count()).isEqualTo(1);
              assertThat(registry.get(MicrometerDecisionListener.PREDICTED_COST).tag("model", "strong").summary().totalAmount())
                  .isCloseTo(3.02e-3, within(1e-12));
              assertThat(registry.get(MicrometerDecisionListener.PREDICTED_QUALITY).tag("model", "cheap").summary().totalAmount())
                  .isEqualTo(1.0);

              // decisions made through the router bean directly are counted too
              context.getBean(CarrotRouter.class).route("math: 1+1", 0.9);
              assertThat(registry.get(MicrometerDecisionListener.DECISIONS).tag("model", "cheap").counter().count()).isEqualTo(2);
            });
  }

  @Test
  void exposesARoutingStreamingChatModelMatchedByConfiguredModelName() {
    tiny()
        .withUserConfiguration(NamedChatModels.class)
        .withPropertyValues("carrot.mu=0.3")
        .run(
            context -> {
              StreamingChatModel primary = context.getBean(StreamingChatModel.class);
              assertThat(primary).isInstanceOf(RoutingStreamingChatModel.class);
              AtomicReference<ChatResponse> done = new AtomicReference<>();
              primary.chat(
                  "math: 2+2",
                  new StreamingChatResponseHandler() {
                    @Override
                    public void onCompleteResponse(ChatResponse r) {
                      done.set(r);
                    }

                    @Override
                    public void onError(Throwable error) {
                      throw new AssertionError(error);
                    }
                  });
              assertThat(done.get().aiMessage().text()).isEqualTo("answer from strong");
              assertThat(CarrotResponseMetadata.from(done.get()).orElseThrow().routedModel()).isEqualTo("strong");
            });
  }

  @Test
  void matchesChatModelsByTheirConfiguredModelNameOrAnExplicitMap() {
    tiny()
        .withUserConfiguration(ConfiguredChatModels.class)
        .withPropertyValues("carrot.mu=0")
        .run(context -> assertThat(context.getBean(RoutingChatModel.class).models()).containsOnlyKeys("strong", "cheap"));
    tiny()
        .withUserConfiguration(ConfiguredChatModels.class)
        .withPropertyValues("carrot.mu=0", "carrot.langchain4j.models.second=strong")
        .run(
            context -> {
              RoutingChatModel m = context.getBean(RoutingChatModel.class);
              assertThat(m.models()).containsOnlyKeys("strong");
              // the bean configured for "cheap" now answers for "strong"
              assertThat(m.chat("math: 2+2")).isEqualTo("answer from cheap");
            });
  }

  @Test
  void candidatesAndKnobsComeFromProperties() {
    tiny()
        .withUserConfiguration(NamedChatModels.class)
        .withPropertyValues("carrot.mu=0", "carrot.deny=strong", "carrot.max-cost-usd=0.5", "carrot.min-quality=0.1")
        .run(
            context -> {
              RouteOptions o = context.getBean(RouteOptions.class);
              assertThat(o.deny()).containsExactly("strong");
              assertThat(o.maxCostUsd()).isEqualTo(0.5);
              assertThat(o.minQuality()).isEqualTo(0.1);
              assertThat(context.getBean(ChatModel.class).chat("math: 2+2")).isEqualTo("answer from cheap");
            });
  }

  @Test
  void aBudgetWithSamplePromptsIsPacedOverTheSpendPredictedOnThem() throws Exception {
    Path sample = dir.resolve("sample.txt");
    Files.writeString(sample, "math: 2+2\n\n{\"prompt\": \"hi there\"}\n");
    // predicted spend: 1.5301 USD per 1000 for mu <= 0.50, 0.0302 from mu 0.51 on; the options'
    // fixed mu is the closest, the pacer starts from the mix (1.5301 - 1) / (1.5301 - 0.0302) at 0.51
    tiny()
        .withPropertyValues("carrot.budget=0.05", "carrot.budget-sample-prompts=" + sample)
        .run(context -> assertThat(context.getBean(RouteOptions.class).mu()).isEqualTo(0.51));
    tiny()
        .withPropertyValues("carrot.budget=1.0", "carrot.budget-sample-prompts=file:" + sample)
        .run(
            context -> {
              assertThat(context.getBean(RouteOptions.class).mu()).isZero();
              BudgetCurve.Setting s = context.getBean(BudgetPacer.class).next();
              assertThat(s.muLow()).isZero();
              assertThat(s.muHigh()).isEqualTo(0.51);
              assertThat(s.shareHigh()).isCloseTo(0.5301 / 1.4999, within(1e-9));
            });
  }

  @Test
  void aBudgetPacesBothRoutingChatModelsWithTheReportedUsage() {
    runner
        .withPropertyValues("carrot.router=" + curvedRouterFile, "carrot.budget=1.52")
        .withUserConfiguration(NamedChatModels.class)
        .run(
            context -> {
              BudgetPacer pacer = context.getBean(BudgetPacer.class);
              RouteOptions o = context.getBean(RouteOptions.class);
              assertThat(o.hasBudget()).isTrue();
              assertThat(o.budgetUsdPer1000()).isEqualTo(1.52);
              RoutingChatModel chat = context.getBean(RoutingChatModel.class);
              RoutingStreamingChatModel streaming = context.getBean(RoutingStreamingChatModel.class);
              assertThat(chat.pacer()).containsSame(pacer);
              assertThat(streaming.pacer()).containsSame(pacer);
              // strong answers reporting 3 input and 4 output tokens: (3 x 10 + 4 x 30) / 1e6 = 1.5e-4 USD
              assertThat(chat.chat("math: 3+3")).isEqualTo("answer from strong");
              assertThat(pacer.spentUsdPer1000()).isCloseTo(0.15, within(1e-12));
              // 1.37 per 1000 under budget: target 1.52 + 1.37 / 25, a share 0.48 to mu = 0.6, still
              // below the hash; the streamed answer reports no usage: strong's predicted 3.02e-3 USD
              AtomicReference<ChatResponse> done = new AtomicReference<>();
              streaming.chat("math: 3+3", new StreamingChatResponseHandler() {
                @Override
                public void onCompleteResponse(ChatResponse r) {
                  done.set(r);
                }

                @Override
                public void onError(Throwable error) {
                  throw new AssertionError(error);
                }
              });
              assertThat(CarrotResponseMetadata.from(done.get()).orElseThrow().routedModel()).isEqualTo("strong");
              assertThat(pacer.requests()).isEqualTo(2);
              assertThat(pacer.spentUsdPer1000()).isCloseTo((0.15 + 3.02) / 2, within(1e-12));
            });
    tiny().withPropertyValues("carrot.mu=0.2").run(context -> assertThat(context).doesNotHaveBean(BudgetPacer.class));
  }

  @Test
  void pricesCanBeOverriddenWithoutRetraining() throws Exception {
    Path prices = dir.resolve("prices.json");
    Files.writeString(prices, "{\"strong\": {\"input_per_mtok\": 0, \"output_per_mtok\": 0}}");
    tiny()
        .withPropertyValues("carrot.prices=" + prices)
        .run(context -> assertThat(context.getBean(CarrotRouter.class).route("math: 2+2", 0.9).model()).isEqualTo("strong"));
    tiny().run(context -> assertThat(context.getBean(CarrotRouter.class).route("math: 2+2", 0.9).model()).isEqualTo("cheap"));
  }

  @Test
  void healthIsUpWithTheRoutersProvenanceAndIsNotCountedAsTraffic() {
    tiny()
        .run(
            context -> {
              Health h = context.getBean(CarrotHealthIndicator.class).health();
              assertThat(h.getStatus()).isEqualTo(Status.UP);
              assertThat(h.getDetails())
                  .containsEntry("models", 2)
                  .containsEntry("embedder", "fake-2d")
                  .containsEntry("dataset", "tiny")
                  .containsEntry("probeModel", "cheap");
              assertThat(context.getBean(MeterRegistry.class).find(MicrometerDecisionListener.DECISIONS).counters()).isEmpty();
            });
    tiny()
        .withPropertyValues("management.health.carrot.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(CarrotHealthIndicator.class));
  }

  @Test
  void healthIsDownWhenTheEmbedderFails() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(CarrotAutoConfiguration.class))
        .withPropertyValues("carrot.router=" + routerFile)
        .withBean(
            Embedder.class,
            () ->
                new TinyRouter.FakeEmbedder() {
                  @Override
                  public float[][] embed(java.util.List<String> texts) {
                    throw new IllegalStateException("embedding service unreachable");
                  }
                })
        .run(
            context -> {
              Health h = context.getBean(CarrotHealthIndicator.class).health();
              assertThat(h.getStatus()).isEqualTo(Status.DOWN);
              assertThat(h.getDetails().get("error").toString()).contains("embedding service unreachable");
            });
  }

  @Test
  void withoutLangChain4jOrChatModelsThereIsOnlyTheRouter() {
    tiny()
        .withClassLoader(new FilteredClassLoader(ChatModel.class))
        .withUserConfiguration(NamedChatModels.class)
        .run(context -> assertThat(context).hasSingleBean(CarrotRouter.class).doesNotHaveBean(RoutingChatModel.class));
    tiny().run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(RoutingChatModel.class).doesNotHaveBean(RouteOptions.class));
    tiny()
        .withUserConfiguration(NamedChatModels.class)
        .withPropertyValues("carrot.langchain4j.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(RoutingChatModel.class));
  }

  @Test
  void badValuesFailAtStartUpNamingThePropertyAndValue() {
    tiny()
        .withPropertyValues("carrot.mu=1.5")
        .run(
            context -> {
              InvalidConfigurationPropertyValueException e = invalid(context);
              assertThat(e.getName()).isEqualTo("carrot.mu");
              assertThat(e.getValue()).isEqualTo(1.5);
              assertThat(e.getMessage())
                  .isEqualTo("Property carrot.mu with value '1.5' is invalid: mu must be in [0, 1]: 0 = best predicted quality whatever the price, 1 = cheapest.");
            });
    tiny()
        .withPropertyValues("carrot.models=strong,gpt-9")
        .run(
            context -> {
              InvalidConfigurationPropertyValueException e = invalid(context);
              assertThat(e.getName()).isEqualTo("carrot.models[1]");
              assertThat(e.getValue()).isEqualTo("gpt-9");
              assertThat(e.getReason()).isEqualTo("Not one of the router's models [strong, cheap].");
            });
    runner
        .withPropertyValues("carrot.router=" + dir.resolve("missing.carrot"))
        .run(
            context -> {
              InvalidConfigurationPropertyValueException e = invalid(context);
              assertThat(e.getName()).isEqualTo("carrot.router");
              assertThat(e.getValue()).isEqualTo(dir.resolve("missing.carrot").toString());
              assertThat(e.getReason()).startsWith("No router file there");
            });
    tiny().withPropertyValues("carrot.deny=strong,cheap").run(context -> assertThat(invalid(context).getReason()).contains("denies every candidate"));
    tiny().withPropertyValues("carrot.mu=0.2", "carrot.budget=3").run(context -> assertThat(invalid(context).getName()).isEqualTo("carrot.budget"));
    tiny().withPropertyValues("carrot.budget=3").run(context -> {
      InvalidConfigurationPropertyValueException e = invalid(context);
      assertThat(e.getName()).isEqualTo("carrot.budget-sample-prompts");
      assertThat(e.getReason()).startsWith("It is required with carrot.budget when the router has no budget curve");
    });
    tiny().withPropertyValues("carrot.budget=-1", "carrot.budget-sample-prompts=x").run(context -> assertThat(invalid(context).getValue()).isEqualTo(-1.0));
    tiny().withPropertyValues("carrot.min-quality=2").run(context -> assertThat(invalid(context).getName()).isEqualTo("carrot.min-quality"));
  }

  @Test
  void badChatModelWiringFailsAtStartUp() {
    tiny()
        .withUserConfiguration(NamedChatModels.class)
        .run(
            context -> {
              InvalidConfigurationPropertyValueException e = invalid(context);
              assertThat(e.getName()).isEqualTo("carrot.mu");
              assertThat(e.getReason()).contains("need a trade-off");
            });
    tiny()
        .withUserConfiguration(ConfiguredChatModels.class)
        .withPropertyValues("carrot.mu=0", "carrot.langchain4j.models.first=gpt-9")
        .run(
            context -> {
              InvalidConfigurationPropertyValueException e = invalid(context);
              assertThat(e.getName()).isEqualTo("carrot.langchain4j.models.first");
              assertThat(e.getValue()).isEqualTo("gpt-9");
            });
    tiny()
        .withUserConfiguration(ConfiguredChatModels.class)
        .withPropertyValues("carrot.mu=0", "carrot.langchain4j.models.nosuchbean=strong")
        .run(context -> assertThat(invalid(context).getReason()).isEqualTo("There is no bean named 'nosuchbean' to route to."));
    tiny()
        .withBean("other", ChatModel.class, () -> new FakeChatModels.Blocking("other", ANSWER))
        .withPropertyValues("carrot.mu=0")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("none of the ChatModel beans [other] stands for one of the router's models [strong, cheap]"));
    tiny()
        .withUserConfiguration(NamedChatModels.class)
        .withBean("first", ChatModel.class, () -> ConfiguredChatModels.configured("strong"))
        .withPropertyValues("carrot.mu=0")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("beans 'first' and 'strong' both stand for router model 'strong'"));
  }

  @Test
  void theDefaultRouterIsUsedWhenNoRouterIsConfigured() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(CarrotAutoConfiguration.class))
        .run(
            context -> {
              if (CarrotRouter.hasDefault()) {
                CarrotRouter router = context.getBean(CarrotRouter.class);
                assertThat(router.models()).hasSizeGreaterThan(1);
                assertThat(router.models()).contains(router.route("What is the value of i^i?", 0.3).model());
              } else {
                InvalidConfigurationPropertyValueException e = invalid(context);
                assertThat(e.getName()).isEqualTo("carrot.router");
                assertThat(e.getReason()).contains("the default router is not on the classpath");
              }
            });
  }
}
