package io.carrot.collect.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.collect.StubChatServer;
import io.carrot.embed.Cl100kTokenCounter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user meets before any call is made: the cost estimate and the API key variables. */
class CollectJobEdgesTest {
  @TempDir Path dir;

  /** A variable name no environment sets. */
  private static final String UNSET = "CARROT_TEST_UNSET_KEY_6f1c0e";

  private static final class Infos implements CollectJob.Listener {
    final List<String> info = new CopyOnWriteArrayList<>();

    @Override
    public void info(String message) {
      info.add(message);
    }

    @Override
    public void progress(int done, int failed, int pairs, double spentUsd) {}
  }

  private CollectJob job(boolean dryRun) {
    return new CollectJob(new CollectJob.Options(dir.resolve("prompts.jsonl"), dir.resolve("models.yaml"), dir.resolve("out"),
        null, null, null, Double.POSITIVE_INFINITY, 3, false, dryRun, false), null, new Cl100kTokenCounter());
  }

  private void write(String baseUrl, String keyEnv) throws Exception {
    Files.writeString(dir.resolve("prompts.jsonl"), """
        {"id": "p1", "prompt": "What is 2 + 2?", "reference": "4"}
        {"id": "p2", "prompt": "What is 3 + 3?", "reference": "6"}
        {"id": "p3", "prompt": "What is 4 + 4?", "reference": "8"}
        """);
    Files.writeString(dir.resolve("models.yaml"), """
        upstreams:
          a: {base_url: %1$s%2$s}
          b: {base_url: %1$s}
        models:
          - {name: short, upstream: a, input_per_mtok: 1.0, output_per_mtok: 1000.0, max_tokens: 64}
          - {name: long, upstream: b, input_per_mtok: 1.0, output_per_mtok: 1000.0, max_tokens: 1000}
        assumed_output_tokens: 300
        """.formatted(baseUrl, keyEnv == null ? "" : ", api_key_env: " + keyEnv));
  }

  @Test
  void theEstimateAssumesNoAnswerLongerThanTheModelsMaxTokens() throws Exception {
    write("http://127.0.0.1:9", null);
    CostEstimate e = job(true).run(new Infos()).estimate();
    assertThat(e.rows()).extracting(CostEstimate.Row::label).containsExactly("short", "long");
    assertThat(e.rows()).extracting(CostEstimate.Row::outputTokens).containsExactly(3 * 64L, 3 * 300L);
    // 1000 USD per Mtok of output: 192 tokens -> 0.192 USD plus the prompts' input tokens at 1 USD per Mtok
    CostEstimate.Row shortRow = e.rows().get(0);
    assertThat(shortRow.usd()).isEqualTo(shortRow.inputTokens() * 1.0 / 1e6 + 192 * 1000.0 / 1e6);
  }

  @Test
  void anUnsetApiKeyVariableIsNamedBeforeAnyCall() throws Exception {
    try (StubChatServer stub = new StubChatServer((model, message, attempt) -> StubChatServer.Reply.ok("4"), 0)) {
      write(stub.baseUrl(), UNSET);
      assertThatThrownBy(() -> job(false).run(new Infos()))
          .hasMessage("api_key_env " + UNSET + " (upstream 'a') is not set in the environment; export the API key there before"
              + " running (or remove api_key_env from models.yaml for an upstream that needs no key)");
      assertThat(stub.paidTotal()).isZero();
      assertThat(stub.requests("long", "What is 2 + 2?")).isZero();
      assertThat(dir.resolve("out.checkpoint.jsonl")).doesNotExist();
      // a dry run makes no call: it says so and still prints the estimate
      Infos infos = new Infos();
      job(true).run(infos);
      assertThat(infos.info.get(0)).startsWith("note: api_key_env " + UNSET + " (upstream 'a') is not set");
      assertThat(infos.info.get(1)).startsWith("cost estimate");
    }
  }

  @Test
  void everyMissingVariableIsNamedAndSetOnesPass() {
    CollectConfig config = new CollectConfig(
        Map.of("x", io.carrot.collect.llm.LlmServer.of("x", "http://h", "X_KEY", 1, 0),
            "y", io.carrot.collect.llm.LlmServer.of("y", "http://h", "Y_KEY", 1, 0),
            "z", io.carrot.collect.llm.LlmServer.of("z", "http://h", null, 1, 0)),
        List.of(new CollectedModel("m", "x", "m", new io.carrot.core.data.ModelPrice(1, 1, ""), 10, 0)), List.of(), 300, "");
    Map<String, String> env = Map.of("X_KEY", "sk-1", "Y_KEY", " ");
    assertThat(CollectJob.missingApiKeys(config, Set.of("x", "z"), env::get)).isNull();
    assertThat(CollectJob.missingApiKeys(config, new java.util.LinkedHashSet<>(List.of("x", "y", "z")), env::get))
        .startsWith("api_key_env Y_KEY (upstream 'y') is not set");
  }
}
