package io.carrot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.carrot.server.auth.ClientKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The official OpenAI Java SDK, pointed at carrot, works unchanged: plain, streamed, and its errors. */
class OpenAiSdkTest {
  static final String KEY = "ck-sdk-test-key";

  @TempDir Path dir;
  Harness h;
  OpenAIClient client;

  @BeforeEach
  void start() throws Exception {
    h = Harness.start(dir, "clients:\n  - {id: sdk, key_sha256: " + ClientKeys.sha256(KEY) + "}\n");
    client = OpenAIOkHttpClient.builder().baseUrl(h.base() + "/v1").apiKey(KEY).maxRetries(0).timeout(Duration.ofSeconds(30)).build();
  }

  @AfterEach
  void stop() {
    client.close();
    h.close();
  }

  static ChatCompletionCreateParams params(String model) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage("What is the capital of France?").build();
  }

  @Test
  void plainCompletion() {
    ChatCompletion c = client.chat().completions().create(params("carrot:mu=0.5"));
    assertThat(c.model()).isEqualTo("mid-v1");
    assertThat(c.choices().get(0).message().content()).hasValue("answer from mid-v1");
    assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(7);

    try (HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse().create(params("carrot:mu=0"))) {
      assertThat(raw.headers().values("x-carrot-model")).containsExactly("strong");
      assertThat(raw.parse().model()).isEqualTo("strong-v1");
    }
  }

  @Test
  void streamedCompletion() {
    try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params("carrot:mu=1"))) {
      String text = s.stream()
          .flatMap(chunk -> chunk.choices().stream())
          .map(choice -> choice.delta().content().orElse(""))
          .collect(Collectors.joining());
      assertThat(text).isEqualTo("answer from cheap-v1");
    }
    assertThat(h.stub.models()).containsExactly("cheap-v1");
  }

  @Test
  void errorsAreTheSdksOwnExceptions() {
    assertThatThrownBy(() -> client.chat().completions().create(params("gpt-17")))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("unknown model 'gpt-17'");
    OpenAIClient wrong = OpenAIOkHttpClient.builder().baseUrl(h.base() + "/v1").apiKey("ck-wrong").maxRetries(0).build();
    try {
      assertThatThrownBy(() -> wrong.chat().completions().create(params("carrot"))).isInstanceOf(UnauthorizedException.class);
    } finally {
      wrong.close();
    }
  }

  @Test
  void listsModels() {
    assertThat(client.models().list().data()).extracting(m -> m.id()).containsExactly("carrot", "strong", "mid", "cheap", "solo");
  }
}
