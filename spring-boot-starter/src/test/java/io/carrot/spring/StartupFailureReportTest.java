package io.carrot.spring;

import io.carrot.testsupport.TinyRouter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.core.cost.TokenCounter;
import io.carrot.core.embed.Embedder;
import io.carrot.core.io.RouterFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;

/** What a user sees when the application does not start: Spring Boot's report, naming property and value. */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureReportTest {
  @TempDir Path dir;

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    Embedder embedder() {
      return new TinyRouter.FakeEmbedder();
    }

    @Bean
    TokenCounter words() {
      return new TinyRouter.WordCounter();
    }
  }

  private void start(String... args) {
    SpringApplication app = new SpringApplication(App.class);
    app.setWebApplicationType(WebApplicationType.NONE);
    app.run(args).close();
  }

  @Test
  void aBadMuIsReportedWithItsValueAndTheReason(CapturedOutput output) {
    Path router = dir.resolve("tiny.carrot");
    RouterFile.save(TinyRouter.router(), router);
    assertThatThrownBy(() -> start("--carrot.router=" + router, "--carrot.mu=1.5")).isNotNull();
    assertThat(output)
        .contains("APPLICATION FAILED TO START")
        .contains("Invalid value '1.5' for configuration property 'carrot.mu'")
        .contains("mu must be in [0, 1]: 0 = best predicted quality whatever the price, 1 = cheapest.")
        .doesNotContain("\tat io.carrot");
  }

  @Test
  void aMissingRouterFileIsReportedWithItsPath(CapturedOutput output) {
    Path missing = dir.resolve("nowhere.carrot");
    assertThatThrownBy(() -> start("--carrot.router=" + missing)).isNotNull();
    assertThat(output)
        .contains("Invalid value '" + missing + "' for configuration property 'carrot.router'")
        .contains("No router file there");
  }
}
