package example.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carrot.testsupport.MiniLmTinyRouter;
import io.carrot.testsupport.StubOpenAi;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole application on a random port: carrot routes with a router trained in the test, the
 * OpenAI models are a stub server on another loopback port.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SpringBootExampleTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static StubOpenAi stub;

  @LocalServerPort int port;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws IOException {
    Path dir = Files.createTempDirectory("carrot-example");
    Path router = MiniLmTinyRouter.save(dir);
    stub = new StubOpenAi();
    registry.add("carrot.router", router::toString);
    registry.add("openai.base-url", stub::baseUrl);
    registry.add("openai.api-key", () -> "test-key");
  }

  @AfterAll
  static void stopStub() {
    stub.close();
  }

  private JsonNode call(String method, String path, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    request = body == null ? request.GET() : request.method(method, HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "text/plain");
    HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  @Test
  void answersThroughTheModelCarrotPicksAndReportsItInMetricsAndHealth() throws Exception {
    JsonNode maths = call("POST", "/ask", "What is the value of i^i?");
    assertThat(maths.path("model").asText()).isEqualTo(MiniLmTinyRouter.STRONG);
    assertThat(maths.path("answer").asText()).isEqualTo("answer from " + MiniLmTinyRouter.STRONG);
    assertThat(maths.path("predictedQuality").asDouble()).isEqualTo(1.0);

    JsonNode poem = call("POST", "/ask", "Write a two-line poem about the sea");
    assertThat(poem.path("model").asText()).isEqualTo(MiniLmTinyRouter.CHEAP);
    assertThat(stub.requests).extracting(r -> r.path("model").asText()).containsExactly(MiniLmTinyRouter.STRONG, MiniLmTinyRouter.CHEAP);

    JsonNode decisions = call("GET", "/actuator/metrics/carrot.decisions?tag=model:" + MiniLmTinyRouter.STRONG, null);
    assertThat(decisions.path("measurements").get(0).path("value").asDouble()).isEqualTo(1.0);
    JsonNode cost = call("GET", "/actuator/metrics/carrot.decision.predicted.cost", null);
    assertThat(cost.path("baseUnit").asText()).isEqualTo("usd");

    JsonNode health = call("GET", "/actuator/health", null);
    assertThat(health.path("components").path("carrot").path("status").asText()).isEqualTo("UP");
    assertThat(health.path("components").path("carrot").path("details").path("models").asInt()).isEqualTo(2);
  }
}
