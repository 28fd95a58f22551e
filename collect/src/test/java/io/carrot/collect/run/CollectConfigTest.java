package io.carrot.collect.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

class CollectConfigTest {
  private static CollectConfig parse(String yaml) throws Exception {
    return CollectConfig.parse(new ObjectMapper(new YAMLFactory()).readTree(yaml), "models.yaml");
  }

  @Test
  void readsUpstreamsModelsAndJudgesWithDefaults() throws Exception {
    CollectConfig c = parse("""
        upstreams:
          openai: {base_url: https://api.openai.com, api_key_env: OPENAI_API_KEY, concurrency: 8, requests_per_minute: 500}
          local: {base_url: "http://localhost:8000/v1"}
        models:
          - {name: gpt-4o-mini, upstream: openai, model: gpt-4o-mini-2024-07-18, input_per_mtok: 0.15, output_per_mtok: 0.6}
          - {name: llama, upstream: local, input_per_mtok: 0, output_per_mtok: 0, max_tokens: 256, temperature: 0.7}
        judges:
          - {name: judge, upstream: openai, model: gpt-4o, input_per_mtok: 2.5, output_per_mtok: 10}
        system_prompt: Answer briefly.
        """);
    assertThat(c.upstreams().get("openai").concurrency()).isEqualTo(8);
    assertThat(c.upstreams().get("local").concurrency()).isEqualTo(4);
    assertThat(c.models()).extracting(CollectedModel::name).containsExactly("gpt-4o-mini", "llama");
    assertThat(c.models().get(0).apiModel()).isEqualTo("gpt-4o-mini-2024-07-18");
    assertThat(c.models().get(1).apiModel()).isEqualTo("llama");
    assertThat(c.models().get(0).maxTokens()).isEqualTo(1024);
    assertThat(c.models().get(1).temperature()).isEqualTo(0.7);
    assertThat(c.judge("judge").apiModel()).isEqualTo("gpt-4o");
    assertThat(c.judge("llama").name()).as("a candidate may judge").isEqualTo("llama");
    assertThat(c.systemPrompt()).isEqualTo("Answer briefly.");
    assertThat(c.assumedOutputTokens()).isEqualTo(300);
    assertThatThrownBy(() -> c.judge("nobody")).hasMessage("--judge nobody: no judge or model of that name in models.yaml; it has [judge, gpt-4o-mini, llama]");
  }

  @Test
  void errorsNameTheFieldAndWhatWasExpected() {
    assertThatThrownBy(() -> parse("upstreams: {a: {base_url: http://h}}\nmodels:\n  - {name: m, upstream: b, input_per_mtok: 1, output_per_mtok: 1}"))
        .hasMessage("models.yaml: models[0] (m): upstream 'b' is not defined; upstreams: [a]");
    assertThatThrownBy(() -> parse("upstreams: {a: {base_url: http://h}}\nmodels:\n  - {name: m, upstream: a, output_per_mtok: 1}"))
        .hasMessage("models.yaml: models[0] (m): 'input_per_mtok' is missing (USD per million tokens)");
    assertThatThrownBy(() -> parse("upstreams: {a: {base_url: http://h, concurency: 3}}\nmodels: []"))
        .hasMessageStartingWith("models.yaml: upstreams.a: unknown key 'concurency'; expected one of [api_key_env,");
    assertThatThrownBy(() -> parse("upstreams: {a: {base_url: http://h}}\nmodels:\n  - {name: m, upstream: a, input_per_mtok: -1, output_per_mtok: 1}"))
        .hasMessage("models.yaml: models[0] (m): input_per_mtok must be a finite number >= 0, got -1.0");
    assertThatThrownBy(() -> parse("upstreams: {a: {base_url: http://h}}\nmodels: []"))
        .hasMessage("models: the list is empty; expected at least one model to collect answers from");
  }
}
