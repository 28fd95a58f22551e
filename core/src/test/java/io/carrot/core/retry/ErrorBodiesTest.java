package io.carrot.core.retry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrorBodiesTest {
  @Test
  void anOpenAiErrorGivesItsMessage() {
    assertThat(ErrorBodies.message("{\"error\": {\"message\": \"Rate limit reached\", \"type\": \"x\"}}", 10)).isEqualTo("Rate limit reached");
  }

  @Test
  void otherBodiesAreCutAndEmptyOnesNamed() {
    assertThat(ErrorBodies.message("  <html>bad gateway</html> ", 12)).isEqualTo("<html>bad ga...");
    assertThat(ErrorBodies.message("{\"error\": \"plain\"}", 100)).isEqualTo("{\"error\": \"plain\"}");
    assertThat(ErrorBodies.message("", 10)).isEqualTo("(empty body)");
    assertThat(ErrorBodies.message(null, 10)).isEqualTo("(empty body)");
    assertThat(ErrorBodies.abbreviate("abc", 3)).isEqualTo("abc");
  }
}
