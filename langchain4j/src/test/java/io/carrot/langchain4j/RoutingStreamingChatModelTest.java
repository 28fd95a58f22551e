package io.carrot.langchain4j;

import io.carrot.testsupport.FakeChatModels;
import io.carrot.testsupport.TinyRouter;
import static io.carrot.testsupport.FakeChatModels.Behaviour.ANSWER;
import static io.carrot.testsupport.FakeChatModels.Behaviour.ERROR_AFTER_A_TOKEN;
import static io.carrot.testsupport.FakeChatModels.Behaviour.ERROR_BEFORE_TOKENS;
import static io.carrot.testsupport.FakeChatModels.Behaviour.THROW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.TokenUsage;
import io.carrot.api.CarrotRouter;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.CarrotException;
import io.carrot.core.route.BudgetPacer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoutingStreamingChatModelTest {
  private final CarrotRouter router = CarrotRouter.of(TinyRouter.router(), new TinyRouter.FakeEmbedder(), new TinyRouter.WordCounter());

  /** Records what a caller sees. */
  static final class Recorder implements StreamingChatResponseHandler {
    final List<String> tokens = new ArrayList<>();
    ChatResponse complete;
    Throwable error;

    @Override
    public void onPartialResponse(String partialResponse) {
      tokens.add(partialResponse);
    }

    @Override
    public void onCompleteResponse(ChatResponse completeResponse) {
      complete = completeResponse;
    }

    @Override
    public void onError(Throwable e) {
      error = e;
    }
  }

  private Recorder stream(FakeChatModels.Streaming strong, FakeChatModels.Streaming cheap, String prompt) {
    RoutingStreamingChatModel model =
        RoutingStreamingChatModel.builder().router(router).model("strong", strong).model("cheap", cheap).mu(0.3).build();
    Recorder r = new Recorder();
    model.chat(prompt, r);
    return r;
  }

  @Test
  void streamsFromTheChosenModel() {
    FakeChatModels.Streaming strong = new FakeChatModels.Streaming("strong", ANSWER);
    FakeChatModels.Streaming cheap = new FakeChatModels.Streaming("cheap", ANSWER);
    Recorder r = stream(strong, cheap, "math: 2+2");
    assertThat(r.error).isNull();
    assertThat(r.tokens).containsExactly("answer ", "from strong");
    CarrotResponseMetadata meta = CarrotResponseMetadata.from(r.complete).orElseThrow();
    assertThat(meta.routedModel()).isEqualTo("strong");
    assertThat(meta.modelName()).isEqualTo("strong-v1");
    assertThat(cheap.requests).isEmpty();
    assertThat(stream(strong, cheap, "hello").tokens).containsExactly("answer ", "from cheap");
  }

  @Test
  void fallsBackWhenTheChosenModelReportsAnErrorBeforeAnyToken() {
    FakeChatModels.Streaming strong = new FakeChatModels.Streaming("strong", ERROR_BEFORE_TOKENS);
    FakeChatModels.Streaming cheap = new FakeChatModels.Streaming("cheap", ANSWER);
    Recorder r = stream(strong, cheap, "math: 2+2");
    assertThat(r.error).isNull();
    assertThat(r.tokens).containsExactly("answer ", "from cheap");
    CarrotResponseMetadata meta = CarrotResponseMetadata.from(r.complete).orElseThrow();
    assertThat(meta.decision().model()).isEqualTo("strong");
    assertThat(meta.routedModel()).isEqualTo("cheap");
    assertThat(meta.failedAttempts()).containsExactly(new FailedAttempt("strong", "IllegalStateException: strong is overloaded"));
  }

  @Test
  void fallsBackWhenTheChosenModelThrows() {
    FakeChatModels.Streaming strong = new FakeChatModels.Streaming("strong", THROW);
    FakeChatModels.Streaming cheap = new FakeChatModels.Streaming("cheap", ANSWER);
    Recorder r = stream(strong, cheap, "math: 2+2");
    assertThat(r.tokens).containsExactly("answer ", "from cheap");
    assertThat(CarrotResponseMetadata.from(r.complete).orElseThrow().failedAttempts()).hasSize(1);
  }

  @Test
  void doesNotFallBackOnceTokensWereStreamed() {
    FakeChatModels.Streaming strong = new FakeChatModels.Streaming("strong", ERROR_AFTER_A_TOKEN);
    FakeChatModels.Streaming cheap = new FakeChatModels.Streaming("cheap", ANSWER);
    Recorder r = stream(strong, cheap, "math: 2+2");
    assertThat(r.tokens).containsExactly("partial from strong");
    assertThat(r.complete).isNull();
    assertThat(r.error).hasMessage("strong dropped the stream");
    assertThat(cheap.requests).isEmpty();
  }

  @Test
  void reportsTheLastErrorWithEarlierOnesSuppressedWhenAllFail() {
    FakeChatModels.Streaming strong = new FakeChatModels.Streaming("strong", THROW);
    FakeChatModels.Streaming cheap = new FakeChatModels.Streaming("cheap", ERROR_BEFORE_TOKENS);
    Recorder r = stream(strong, cheap, "math: 2+2");
    assertThat(r.complete).isNull();
    assertThat(r.error).hasMessage("cheap is overloaded");
    assertThat(r.error.getSuppressed()).extracting(Throwable::getMessage).containsExactly("strong refused the connection");
  }

  @Test
  void aBudgetIsPacedWithEachCompleteResponsesUsage() {
    CarrotRouter curved = CarrotRouter.of(TinyRouter.routerWithCurve(), new TinyRouter.FakeEmbedder(), new TinyRouter.WordCounter());
    // strong reports 1000 output tokens (0.03 USD); cheap reports nothing: its predicted 2.02e-5 USD counts
    FakeChatModels.Streaming strong = new FakeChatModels.Streaming("strong", ANSWER, new TokenUsage(0, 1000));
    FakeChatModels.Streaming cheap = new FakeChatModels.Streaming("cheap", ANSWER);
    RoutingStreamingChatModel model = RoutingStreamingChatModel.builder()
        .router(curved).model("strong", strong).model("cheap", cheap).options(RouteOptions.mu(0).withBudget(1.52)).build();
    BudgetPacer pacer = model.pacer().orElseThrow();
    Recorder first = new Recorder();
    model.chat("math: 3+3", first); // hash 0.622: mu = 0 while the stream is fresh
    assertThat(CarrotResponseMetadata.from(first.complete).orElseThrow().routedModel()).isEqualTo("strong");
    assertThat(pacer.spentUsdPer1000()).isCloseTo(30, within(1e-9));
    Recorder second = new Recorder();
    model.chat("math: 3+3", second); // the target fell to 0.3808: mu = 0.6
    assertThat(CarrotResponseMetadata.from(second.complete).orElseThrow().routedModel()).isEqualTo("cheap");
    assertThat(pacer.spentUsdPer1000()).isCloseTo((30 + 0.0202) / 2, within(1e-9));

    // a blocking and a streaming model can share one stream; a stream that breaks is not recorded
    BudgetPacer shared = curved.pacer(1.52);
    FakeChatModels.Streaming dropping = new FakeChatModels.Streaming("strong", ERROR_AFTER_A_TOKEN);
    RoutingStreamingChatModel streaming =
        RoutingStreamingChatModel.builder().router(curved).model("strong", dropping).model("cheap", cheap).mu(0).pacer(shared).build();
    RoutingChatModel blocking = RoutingChatModel.builder()
        .router(curved).model("strong", new FakeChatModels.Blocking("strong", ANSWER, new TokenUsage(100, 0))).mu(0).pacer(shared).build();
    Recorder broken = new Recorder();
    streaming.chat("math: 2+2", broken);
    assertThat(broken.error).hasMessage("strong dropped the stream");
    assertThat(shared.requests()).isZero();
    blocking.chat("math: 2+2");
    assertThat(shared.requests()).isEqualTo(1);
    assertThat(shared.spentUsdPer1000()).isCloseTo(1, within(1e-12)); // 100 input tokens at 10 per million
    assertThat(streaming.pacer()).containsSame(shared);
  }

  @Test
  void routingErrorsReachTheHandler() {
    FakeChatModels.Streaming strong = new FakeChatModels.Streaming("strong", ANSWER);
    FakeChatModels.Streaming cheap = new FakeChatModels.Streaming("cheap", ANSWER);
    RoutingStreamingChatModel model =
        RoutingStreamingChatModel.builder().router(router).model("strong", strong).model("cheap", cheap).mu(0.3).build();
    Recorder r = new Recorder();
    model.chat(ChatRequest.builder().messages(SystemMessage.from("no user here")).build(), r);
    assertThat(r.error).isInstanceOf(CarrotException.class).hasMessageContaining("no user message with text");
    assertThat(strong.requests).isEmpty();
    assertThat(cheap.requests).isEmpty();
  }
}
