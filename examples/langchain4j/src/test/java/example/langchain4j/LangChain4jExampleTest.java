package example.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import io.carrot.api.CarrotRouter;
import io.carrot.langchain4j.CarrotResponseMetadata;
import io.carrot.langchain4j.RoutingChatModel;
import io.carrot.langchain4j.RoutingStreamingChatModel;
import io.carrot.testsupport.MiniLmTinyRouter;
import io.carrot.testsupport.StubOpenAi;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example's routing chat models against a stub OpenAI server on a loopback port. */
class LangChain4jExampleTest {
  @TempDir static Path dir;
  static CarrotRouter router;
  StubOpenAi stub;

  @BeforeAll
  static void loadRouter() {
    router = CarrotRouter.load(MiniLmTinyRouter.save(dir));
  }

  @AfterAll
  static void closeRouter() {
    router.close();
  }

  @BeforeEach
  void startStub() throws Exception {
    stub = new StubOpenAi();
  }

  @org.junit.jupiter.api.AfterEach
  void stopStub() {
    stub.close();
  }

  @Test
  void mathsGoesToTheStrongModelAndChatToTheCheapOne() {
    RoutingChatModel model = LangChain4jExample.chatModel(router, stub.baseUrl(), "test-key", LangChain4jExample.DEFAULT_MODELS);
    assertThat(LangChain4jExample.ask(model, "What is the value of i^i?"))
        .startsWith("answer from gpt-4o-2024-08-06 [answered by gpt-4o-2024-08-06, predicted quality 1.00")
        .endsWith("0 failed before]");
    assertThat(LangChain4jExample.ask(model, "Write a two-line poem about the sea"))
        .startsWith("answer from gpt-4o-mini-2024-07-18 [answered by gpt-4o-mini-2024-07-18");
    assertThat(stub.requests).extracting(r -> r.path("model").asText()).containsExactly(MiniLmTinyRouter.STRONG, MiniLmTinyRouter.CHEAP);
  }

  @Test
  void whenTheChosenModelIsDownTheNextBestAnswers() {
    stub.down.add(MiniLmTinyRouter.STRONG);
    RoutingChatModel model = LangChain4jExample.chatModel(router, stub.baseUrl(), "test-key", LangChain4jExample.DEFAULT_MODELS);
    assertThat(LangChain4jExample.ask(model, "What is the value of i^i?"))
        .startsWith("answer from gpt-4o-mini-2024-07-18 [answered by gpt-4o-mini-2024-07-18")
        .endsWith("1 failed before]");
  }

  @Test
  void streams() throws Exception {
    RoutingStreamingChatModel model =
        LangChain4jExample.streamingChatModel(router, stub.baseUrl(), "test-key", List.of(MiniLmTinyRouter.STRONG, MiniLmTinyRouter.CHEAP));
    StringBuilder tokens = new StringBuilder();
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();
    model.chat(
        "Solve 3x + 7 = 22 for x",
        new StreamingChatResponseHandler() {
          @Override
          public void onPartialResponse(String partial) {
            tokens.append(partial);
          }

          @Override
          public void onCompleteResponse(ChatResponse response) {
            done.complete(response);
          }

          @Override
          public void onError(Throwable error) {
            done.completeExceptionally(error);
          }
        });
    ChatResponse response = done.get(30, TimeUnit.SECONDS);
    assertThat(tokens).hasToString("answer from " + MiniLmTinyRouter.STRONG);
    assertThat(CarrotResponseMetadata.from(response).orElseThrow().routedModel()).isEqualTo(MiniLmTinyRouter.STRONG);
  }
}
