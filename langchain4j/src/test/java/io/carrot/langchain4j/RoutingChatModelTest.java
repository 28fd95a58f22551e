package io.carrot.langchain4j;

import io.carrot.testsupport.FakeChatModels;
import io.carrot.testsupport.TinyRouter;
import static io.carrot.testsupport.FakeChatModels.Behaviour.ANSWER;
import static io.carrot.testsupport.FakeChatModels.Behaviour.THROW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import io.carrot.api.CarrotRouter;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.CarrotException;
import io.carrot.core.route.BudgetPacer;
import io.carrot.core.route.Candidate;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoutingChatModelTest {
  private final CarrotRouter router = CarrotRouter.of(TinyRouter.router(), new TinyRouter.FakeEmbedder(), new TinyRouter.WordCounter());

  private RoutingChatModel routing(ChatModel strong, ChatModel cheap, double mu) {
    return RoutingChatModel.builder().router(router).model("strong", strong).model("cheap", cheap).mu(mu).build();
  }

  @Test
  void sendsEachRequestToTheChosenModelWithTheDecisionInTheMetadata() {
    FakeChatModels.Blocking strong = new FakeChatModels.Blocking("strong", ANSWER);
    FakeChatModels.Blocking cheap = new FakeChatModels.Blocking("cheap", ANSWER);
    RoutingChatModel model = routing(strong, cheap, 0.3);

    assertThat(model.chat("math: 2+2")).isEqualTo("answer from strong");
    assertThat(model.chat("hello there")).isEqualTo("answer from cheap");
    assertThat(strong.requests).hasSize(1);
    assertThat(cheap.requests).hasSize(1);

    ChatResponse r = model.chat(UserMessage.from("math: 2+2"));
    CarrotResponseMetadata meta = CarrotResponseMetadata.from(r).orElseThrow();
    assertThat(meta.routedModel()).isEqualTo("strong");
    assertThat(meta.failedAttempts()).isEmpty();
    assertThat(meta.decision().mu()).isEqualTo(0.3);
    assertThat(meta.decision().candidates()).extracting(Candidate::model).containsExactly("strong", "cheap");
    assertThat(meta.decision().chosen().costUsd()).isEqualTo(3.02e-3, within(1e-12));
    // the answering model's own metadata is kept
    assertThat(meta.id()).isEqualTo("id-strong");
    assertThat(meta.modelName()).isEqualTo("strong-v1");
    assertThat(meta.tokenUsage().totalTokenCount()).isEqualTo(7);
    assertThat(meta.upstream().modelName()).isEqualTo("strong-v1");
    assertThat(meta.toBuilder().build()).isEqualTo(meta);
  }

  @Test
  void routesOnTheLastUserMessageOnly() {
    FakeChatModels.Blocking strong = new FakeChatModels.Blocking("strong", ANSWER);
    FakeChatModels.Blocking cheap = new FakeChatModels.Blocking("cheap", ANSWER);
    RoutingChatModel model = routing(strong, cheap, 0);
    ChatResponse r =
        model.chat(
            SystemMessage.from("You are good at math"),
            UserMessage.from("math: what is 2+2?"),
            AiMessage.from("4"),
            UserMessage.from(TextContent.from("thanks,"), ImageContent.from("https://example.com/x.png"), TextContent.from("bye")));
    assertThat(r.aiMessage().text()).isEqualTo("answer from cheap");
    // the whole conversation is forwarded
    assertThat(cheap.requests.get(0).messages()).hasSize(4);
    assertThat(Dispatch.promptOf(cheap.requests.get(0))).isEqualTo("thanks,\nbye");
    assertThatThrownBy(() -> model.chat(SystemMessage.from("only a system message")))
        .isInstanceOf(CarrotException.class)
        .hasMessageContaining("no user message with text");
  }

  @Test
  void dropsThePseudoModelNameButKeepsOtherParameters() {
    FakeChatModels.Blocking strong = new FakeChatModels.Blocking("strong", ANSWER);
    FakeChatModels.Blocking cheap = new FakeChatModels.Blocking("cheap", ANSWER);
    routing(strong, cheap, 0.3)
        .chat(ChatRequest.builder().messages(UserMessage.from("hi")).modelName("carrot").temperature(0.2).maxOutputTokens(9).build());
    ChatRequest seen = cheap.requests.get(0);
    assertThat(seen.modelName()).isNull();
    assertThat(seen.temperature()).isEqualTo(0.2);
    assertThat(seen.maxOutputTokens()).isEqualTo(9);
  }

  @Test
  void triesTheNextBestCandidateWhenAModelFails() {
    FakeChatModels.Blocking strong = new FakeChatModels.Blocking("strong", THROW);
    FakeChatModels.Blocking cheap = new FakeChatModels.Blocking("cheap", ANSWER);
    ChatResponse r = routing(strong, cheap, 0.3).chat(UserMessage.from("math: 2+2"));
    assertThat(r.aiMessage().text()).isEqualTo("answer from cheap");
    CarrotResponseMetadata meta = CarrotResponseMetadata.from(r).orElseThrow();
    assertThat(meta.decision().model()).isEqualTo("strong");
    assertThat(meta.routedModel()).isEqualTo("cheap");
    assertThat(meta.failedAttempts()).containsExactly(new FailedAttempt("strong", "IllegalStateException: strong is down"));
  }

  @Test
  void throwsTheLastFailureWithTheEarlierOnesSuppressedWhenAllFail() {
    FakeChatModels.Blocking strong = new FakeChatModels.Blocking("strong", THROW);
    FakeChatModels.Blocking cheap = new FakeChatModels.Blocking("cheap", THROW);
    assertThatThrownBy(() -> routing(strong, cheap, 0.3).chat("math: 2+2"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("cheap is down")
        .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage).containsExactly("strong is down"));
  }

  @Test
  void maxAttemptsLimitsTheFallbacks() {
    FakeChatModels.Blocking strong = new FakeChatModels.Blocking("strong", THROW);
    FakeChatModels.Blocking cheap = new FakeChatModels.Blocking("cheap", ANSWER);
    RoutingChatModel model =
        RoutingChatModel.builder().router(router).model("strong", strong).model("cheap", cheap).mu(0.3).maxAttempts(1).build();
    assertThatThrownBy(() -> model.chat("math: 2+2")).hasMessage("strong is down");
    assertThat(cheap.requests).isEmpty();
  }

  @Test
  void onlyNamedModelsAndAllowedOnesAreCandidates() {
    FakeChatModels.Blocking cheap = new FakeChatModels.Blocking("cheap", ANSWER);
    RoutingChatModel onlyCheap = RoutingChatModel.builder().router(router).model("cheap", cheap).mu(0).build();
    ChatResponse r = onlyCheap.chat(UserMessage.from("math: 2+2"));
    assertThat(CarrotResponseMetadata.from(r).orElseThrow().decision().candidates())
        .extracting(Candidate::model)
        .containsExactly("cheap");

    FakeChatModels.Blocking strong = new FakeChatModels.Blocking("strong", ANSWER);
    RoutingChatModel denied =
        RoutingChatModel.builder()
            .router(router)
            .model("strong", strong)
            .model("cheap", cheap)
            .options(RouteOptions.mu(0).withDeny(Set.of("strong")))
            .build();
    assertThat(denied.chat("math: 2+2")).isEqualTo("answer from cheap");
    assertThat(denied.options().allow()).containsExactly("cheap");
  }

  @Test
  void badConfigurationFailsAtBuildNamingTheValue() {
    ChatModel any = new FakeChatModels.Blocking("x", ANSWER);
    assertThatThrownBy(() -> RoutingChatModel.builder().router(router).model("gpt-9", any).mu(0.3).build())
        .isInstanceOf(CarrotException.class)
        .hasMessage("model 'gpt-9' is not one of the router's models [strong, cheap]");
    assertThatThrownBy(() -> RoutingChatModel.builder().router(router).mu(0.3).build())
        .hasMessageContaining("no chat models to route to");
    assertThatThrownBy(() -> RoutingChatModel.builder().router(router).model("cheap", any).build())
        .hasMessageContaining("mu is required");
    assertThatThrownBy(() -> RoutingChatModel.builder().model("cheap", any).mu(0).build())
        .hasMessageContaining("router is required");
    assertThatThrownBy(() -> RoutingChatModel.builder().router(router).model("cheap", any).mu(1.5).build())
        .hasMessage("mu must be in [0, 1], got 1.5");
    assertThatThrownBy(() -> RoutingChatModel.builder().router(router).model("cheap", any).mu(0).maxAttempts(0).build())
        .hasMessage("maxAttempts must be >= 1, got 0");
    assertThatThrownBy(
            () ->
                RoutingChatModel.builder()
                    .router(router)
                    .model("cheap", any)
                    .options(RouteOptions.mu(0).withAllow(Set.of("strong")))
                    .build())
        .hasMessageContaining("the options leave none of the chat models [cheap]");
  }

  @Test
  void aBudgetIsPacedWithTheReportedTokenUsageAtTheRoutersPrices() {
    CarrotRouter curved = CarrotRouter.of(TinyRouter.routerWithCurve(), new TinyRouter.FakeEmbedder(), new TinyRouter.WordCounter());
    // strong reports 1000 output tokens: 0.03 USD at 30 per million; cheap 3 in and 4 out: 1.9e-6 USD
    FakeChatModels.Blocking strong = new FakeChatModels.Blocking("strong", ANSWER, new TokenUsage(0, 1000));
    FakeChatModels.Blocking cheap = new FakeChatModels.Blocking("cheap", ANSWER, new TokenUsage(3, 4));
    RoutingChatModel model =
        RoutingChatModel.builder().router(curved).model("strong", strong).model("cheap", cheap).options(RouteOptions.mu(0).withBudget(1.52)).build();
    BudgetPacer pacer = model.pacer().orElseThrow();
    assertThat(pacer.usdPer1000()).isEqualTo(1.52);
    assertThat(model.options().hasBudget()).isFalse();
    // fresh, the fixed setting: "math: 3+3" (hash 0.622) stays at mu = 0
    assertThat(model.chat("math: 3+3")).isEqualTo("answer from strong");
    // 30 per 1000 spent, 28.48 over, paid back over 25 requests: target 0.3808, a share
    // (3.02 - 0.3808) / 2.9998 = 0.88 to mu = 0.6, now including "math: 3+3"
    assertThat(pacer.requests()).isEqualTo(1);
    assertThat(pacer.targetUsdPer1000()).isCloseTo(0.3808, within(1e-12));
    ChatResponse r = model.chat(UserMessage.from("math: 3+3"));
    assertThat(CarrotResponseMetadata.from(r).orElseThrow().decision().mu()).isEqualTo(0.6);
    assertThat(r.aiMessage().text()).isEqualTo("answer from cheap");
    assertThat(pacer.spentUsdPer1000()).isCloseTo(1000 * (0.03 + 1.9e-6) / 2, within(1e-12));

    // an answer without usage counts at the answering model's predicted cost; so does a fallback's
    FakeChatModels.Blocking silent = new FakeChatModels.Blocking("strong", ANSWER, null);
    FakeChatModels.Blocking down = new FakeChatModels.Blocking("strong", THROW);
    FakeChatModels.Blocking cheapSilent = new FakeChatModels.Blocking("cheap", ANSWER, null);
    BudgetPacer shared = curved.pacer(1.52);
    RoutingChatModel quiet = RoutingChatModel.builder().router(curved).model("strong", silent).model("cheap", cheap).mu(0).pacer(shared).build();
    quiet.chat("math: 3+3");
    assertThat(shared.spentUsdPer1000()).isCloseTo(3.02, within(1e-9));
    RoutingChatModel falling = RoutingChatModel.builder().router(curved).model("strong", down).model("cheap", cheapSilent).mu(0).pacer(shared).build();
    assertThat(falling.chat("math: 2+2")).isEqualTo("answer from cheap");
    assertThat(shared.requests()).isEqualTo(2);
    assertThat(shared.spentUsdPer1000()).isCloseTo((3.02 + 0.0202) / 2, within(1e-9));
    // a model that fails altogether records nothing
    RoutingChatModel broken = RoutingChatModel.builder().router(curved).model("strong", down).mu(0).pacer(shared).build();
    assertThatThrownBy(() -> broken.chat("math: 2+2")).hasMessage("strong is down");
    assertThat(shared.requests()).isEqualTo(2);

    assertThatThrownBy(() -> RoutingChatModel.builder().router(router).model("cheap", cheap).options(RouteOptions.mu(0).withBudget(1.52)).build())
        .hasMessageContaining("a budget needs the spend curve");
    assertThatThrownBy(
            () -> RoutingChatModel.builder().router(curved).model("cheap", cheap).options(RouteOptions.mu(0).withBudget(2)).pacer(shared).build())
        .hasMessage("options set a budget of 2.0 USD per 1000 requests and the pacer holds 1.52: "
            + "give the pacer alone (to share one stream between models) or the budget");
    // options with the pacer's own budget use that pacer
    assertThat(RoutingChatModel.builder().router(curved).model("cheap", cheap).options(RouteOptions.mu(0).withBudget(1.52)).pacer(shared).build()
        .pacer()).containsSame(shared);
    assertThat(routing(strong, cheap, 0.3).pacer()).isEmpty();
  }

  @Test
  void supportsWhatEveryCandidateSupports() {
    ChatModel json =
        new FakeChatModels.Blocking("strong", ANSWER) {
          @Override
          public Set<Capability> supportedCapabilities() {
            return Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA);
          }
        };
    ChatModel plain = new FakeChatModels.Blocking("cheap", ANSWER);
    assertThat(RoutingChatModel.builder().router(router).model("strong", json).mu(0).build().supportedCapabilities())
        .containsExactly(Capability.RESPONSE_FORMAT_JSON_SCHEMA);
    assertThat(routing(json, plain, 0).supportedCapabilities()).isEmpty();
    assertThat(routing(json, plain, 0).models()).containsOnlyKeys("strong", "cheap");
    assertThat(List.copyOf(routing(json, plain, 0).models().keySet())).containsExactly("strong", "cheap");
  }
}
