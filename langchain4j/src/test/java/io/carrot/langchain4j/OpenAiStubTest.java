package io.carrot.langchain4j;

import io.carrot.testsupport.StubOpenAi;
import io.carrot.testsupport.TinyRouter;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatResponseMetadata;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import io.carrot.api.CarrotRouter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** LangChain4j's own OpenAI client, routed by carrot, against a stub server on a real socket. */
class OpenAiStubTest {
  private final CarrotRouter router = CarrotRouter.of(TinyRouter.router(), new TinyRouter.FakeEmbedder(), new TinyRouter.WordCounter());
  private StubOpenAi stub;

  @BeforeEach
  void start() throws Exception {
    stub = new StubOpenAi();
  }

  @AfterEach
  void stop() {
    stub.close();
  }

  private OpenAiChatModel openAi(String modelName) {
    return OpenAiChatModel.builder().baseUrl(stub.baseUrl()).apiKey("test-key").modelName(modelName).maxRetries(0).build();
  }

  private OpenAiStreamingChatModel openAiStreaming(String modelName) {
    return OpenAiStreamingChatModel.builder().baseUrl(stub.baseUrl()).apiKey("test-key").modelName(modelName).build();
  }

  @Test
  void routesToTheChosenOpenAiModelAndFallsBackOnA503() {
    RoutingChatModel model =
        RoutingChatModel.builder()
            .router(router)
            .model("strong", openAi("gpt-strong"))
            .model("cheap", openAi("gpt-cheap"))
            .mu(0.3)
            .build();

    ChatResponse r = model.chat(ChatRequest.builder().messages(dev.langchain4j.data.message.UserMessage.from("math: 2+2")).modelName("carrot").build());
    assertThat(r.aiMessage().text()).isEqualTo("answer from gpt-strong");
    JsonNode sent = stub.requests.get(0);
    assertThat(sent.path("model").asText()).isEqualTo("gpt-strong");
    assertThat(sent.path("messages").get(0).path("content").asText()).isEqualTo("math: 2+2");
    CarrotResponseMetadata meta = CarrotResponseMetadata.from(r).orElseThrow();
    assertThat(meta.routedModel()).isEqualTo("strong");
    assertThat(meta.id()).isEqualTo("chatcmpl-gpt-strong");
    assertThat(meta.tokenUsage().totalTokenCount()).isEqualTo(8);
    assertThat(meta.upstream()).isInstanceOf(OpenAiChatResponseMetadata.class);

    stub.down.add("gpt-strong");
    ChatResponse fallback = model.chat(dev.langchain4j.data.message.UserMessage.from("math: 3+3"));
    assertThat(fallback.aiMessage().text()).isEqualTo("answer from gpt-cheap");
    CarrotResponseMetadata fm = CarrotResponseMetadata.from(fallback).orElseThrow();
    assertThat(fm.decision().model()).isEqualTo("strong");
    assertThat(fm.failedAttempts()).extracting(FailedAttempt::model).containsExactly("strong");
    assertThat(fm.failedAttempts().get(0).error()).contains("gpt-strong is overloaded");
    assertThat(stub.requests).extracting(j -> j.path("model").asText()).containsExactly("gpt-strong", "gpt-strong", "gpt-cheap");
  }

  @Test
  void streamsFromTheChosenOpenAiModelAndFallsBackOnA503() throws Exception {
    RoutingStreamingChatModel model =
        RoutingStreamingChatModel.builder()
            .router(router)
            .model("strong", openAiStreaming("gpt-strong"))
            .model("cheap", openAiStreaming("gpt-cheap"))
            .mu(0.3)
            .build();
    stub.down.add("gpt-strong");
    RoutingStreamingChatModelTest.Recorder rec = new RoutingStreamingChatModelTest.Recorder();
    CompletableFuture<Void> done = new CompletableFuture<>();
    model.chat(
        "math: 2+2",
        new dev.langchain4j.model.chat.response.StreamingChatResponseHandler() {
          @Override
          public void onPartialResponse(String partialResponse) {
            rec.onPartialResponse(partialResponse);
          }

          @Override
          public void onCompleteResponse(ChatResponse completeResponse) {
            rec.onCompleteResponse(completeResponse);
            done.complete(null);
          }

          @Override
          public void onError(Throwable error) {
            rec.onError(error);
            done.complete(null);
          }
        });
    done.get(30, TimeUnit.SECONDS);
    assertThat(rec.error).isNull();
    assertThat(String.join("", rec.tokens)).isEqualTo("answer from gpt-cheap");
    CarrotResponseMetadata meta = CarrotResponseMetadata.from(rec.complete).orElseThrow();
    assertThat(meta.routedModel()).isEqualTo("cheap");
    assertThat(meta.failedAttempts()).extracting(FailedAttempt::model).containsExactly("strong");
    assertThat(rec.complete.aiMessage().text()).isEqualTo("answer from gpt-cheap");
    assertThat(stub.requests).extracting(j -> j.path("stream").asBoolean()).containsOnly(true);
  }
}
