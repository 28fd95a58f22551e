package io.carrot.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.carrot.api.CarrotRouter;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.route.Support;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a real socket: every routed answer reports the prompt's support ({@code x-carrot-support},
 * {@code x-carrot-low-support}, the decision JSON), and a prompt longer than every model's context
 * window is a 400 {@code context_length_exceeded} that reaches no upstream.
 */
class SupportAndContextTest {
  @TempDir Path dir;

  /** The tiny router with its training set's support section and context windows of 20, 30 and 40 tokens. */
  static CarrotRouter router() {
    CarrotRouter tiny = TestRouters.tiny();
    Map<String, ModelPrice> m = new LinkedHashMap<>();
    for (String model : TestRouters.MODELS) {
      ModelPrice p = TestRouters.prices().price(model);
      m.put(model, new ModelPrice(p.inputPerMtok(), p.outputPerMtok(), "test", 20 + 10L * m.size()));
    }
    return CarrotRouter.of(tiny.router().withSupport(Support.fit(TestRouters.trainingSet(), 42)).withPrices(new PriceTable(m)),
        tiny.embedder(), tiny.tokenCounter());
  }

  @Test
  void answersCarryTheSupportOfTheirPrompt() throws Exception {
    try (Harness h = Harness.start(dir, "", router(), y -> y)) {
      for (String prompt : new String[] {"What is 2+2?", "Write a haiku about autumn", "x"}) {
        HttpResponse<String> r = h.post("/v1/route", "{\"model\": \"carrot\", \"prompt\": \"" + prompt + "\"}", null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode d = StubUpstream.parse(r.body());
        double support = d.path("support").asDouble(-1);
        assertThat(support).isBetween(0.0, 1.0);
        assertThat(r.headers().firstValue("x-carrot-support")).hasValue(String.format(Locale.ROOT, "%.4f", support));
        assertThat(r.headers().firstValue("x-carrot-low-support").isPresent()).isEqualTo(d.path("low_support").asBoolean());
        assertThat(d.path("support_weight").asDouble(-1)).isBetween(0.0, 1.0);

        HttpResponse<String> chat = h.post("/v1/chat/completions", Harness.chat("carrot", prompt, false), null);
        assertThat(chat.statusCode()).isEqualTo(200);
        assertThat(chat.headers().firstValue("x-carrot-support")).hasValue(String.format(Locale.ROOT, "%.4f", support));
      }
    }
  }

  @Test
  void aPromptLongerThanEveryContextWindowIsA400BeforeAnyUpstreamCall() throws Exception {
    try (Harness h = Harness.start(dir, "", router(), y -> y)) {
      String longPrompt = "word ".repeat(200);
      for (String path : new String[] {"/v1/chat/completions", "/v1/route"}) {
        HttpResponse<String> r = h.post(path, Harness.chat("carrot", longPrompt, false), null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode e = StubUpstream.parse(r.body()).path("error");
        assertThat(e.path("code").asText()).isEqualTo("context_length_exceeded");
        assertThat(e.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(e.path("param").asText()).isEqualTo("messages");
        assertThat(e.path("message").asText())
            .startsWith("the prompt has ")
            .contains("strong (20), mid (30), cheap (40)")
            .endsWith("shorten it to at most 40 tokens");
      }
      assertThat(h.stub.received).isEmpty();
      // a prompt that fits the cheap model only goes there
      HttpResponse<String> fits = h.post("/v1/chat/completions", Harness.chat("carrot", "word ".repeat(30), false), null);
      assertThat(fits.statusCode()).isEqualTo(200);
      assertThat(fits.headers().firstValue("x-carrot-model")).hasValue("cheap");
    }
  }
}
