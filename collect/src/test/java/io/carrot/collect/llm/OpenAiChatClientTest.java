package io.carrot.collect.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.collect.StubChatServer.Reply;
import io.carrot.collect.StubChatServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The client against a stub server on a loopback port. */
class OpenAiChatClientTest {
  private static LlmServer upstream(StubChatServer s, int attempts) {
    return LlmServer.of("stub", s.baseUrl(), null, 2, 0).withBackoff(attempts, Duration.ofMillis(1), Duration.ofMillis(50));
  }

  private static LlmRequest ask(String model) {
    return new LlmRequest(model, "be brief", "hello there", 16, 0);
  }

  @Test
  void returnsTheAnswerWithReportedUsageAfterRetrying429And5xx() throws Exception {
    StubChatServer.Behavior b = (model, msg, attempt) -> switch (attempt) {
      case 1 -> new Reply(429, null, "0");
      case 2 -> Reply.error(503);
      default -> Reply.ok("general kenobi");
    };
    try (StubChatServer s = new StubChatServer(b, 0); OpenAiChatClient c = new OpenAiChatClient(upstream(s, 3))) {
      ChatResult r = c.complete(ask("m"));
      assertThat(r.text()).isEqualTo("general kenobi");
      assertThat(r.promptTokens()).isEqualTo(2);
      assertThat(r.completionTokens()).isEqualTo(2);
      assertThat(r.attempts()).isEqualTo(3);
      assertThat(r.finishReason()).isEqualTo("stop");
      assertThat(s.requests("m", "hello there")).isEqualTo(3);
      assertThat(s.paid("m", "hello there")).isEqualTo(1);
    }
  }

  @Test
  void givesUpAfterMaxAttemptsAsRetryable() throws Exception {
    try (StubChatServer s = new StubChatServer((m, msg, a) -> Reply.error(500), 0);
        OpenAiChatClient c = new OpenAiChatClient(upstream(s, 2))) {
      assertThatThrownBy(() -> c.complete(ask("m")))
          .isInstanceOfSatisfying(ChatException.class, e -> {
            assertThat(e.retryable()).isTrue();
            assertThat(e.status()).isEqualTo(500);
            assertThat(e.fatal()).isFalse();
          })
          .hasMessage("stub m: HTTP 500: stub says 500 (after 2 attempts)");
      assertThat(s.requests("m", "hello there")).isEqualTo(2);
    }
  }

  @Test
  void aClientErrorIsNotRetried() throws Exception {
    try (StubChatServer s = new StubChatServer((m, msg, a) -> Reply.error(m.equals("gone") ? 404 : 400), 0);
        OpenAiChatClient c = new OpenAiChatClient(upstream(s, 5))) {
      assertThatThrownBy(() -> c.complete(ask("m")))
          .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.retryable() || e.fatal()).isFalse());
      assertThat(s.requests("m", "hello there")).isEqualTo(1);
      assertThatThrownBy(() -> c.complete(ask("gone")))
          .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.fatal()).isTrue());
    }
  }

  @Test
  void theEndpointAcceptsARootOrAV1BaseUrl() {
    assertThat(LlmServer.of("a", "http://h:8000", null, 1, 0).chatEndpoint()).hasToString("http://h:8000/v1/chat/completions");
    assertThat(LlmServer.of("a", "https://h/v1/", null, 1, 0).chatEndpoint()).hasToString("https://h/v1/chat/completions");
    assertThatThrownBy(() -> LlmServer.of("a", "ftp://h", null, 1, 0))
        .hasMessage("upstream 'a': base_url 'ftp://h'; expected an http(s) URL such as https://api.openai.com");
  }
}
