package io.carrot.collect.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.collect.dataset.DatasetWriter;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.DatasetReader;
import io.carrot.core.data.PriceTable;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.embed.Cl100kTokenCounter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RouterDC's JSON arrays and LLMRouter's routing JSONL, in small files written here. */
class JsonImportersTest {
  @TempDir Path dir;
  private final Cl100kTokenCounter tokens = new Cl100kTokenCounter();

  private Path carrotPrices() throws Exception {
    return Files.writeString(dir.resolve("models.json"), """
        {"mistralai/Mistral-7B-v0.1": {"input_per_mtok": 0.2, "output_per_mtok": 0.2},
         "meta-llama/Meta-Llama-3-8B": {"input_per_mtok": 0.1, "output_per_mtok": 0.3, "price_source": "a quote"}}
        """);
  }

  @Test
  void routerDcRecordsCountedInputAndAssumedOutputTokens() throws Exception {
    Files.writeString(dir.resolve("gsm8k-train.json"), """
        [{"question": "Question: 2+2?\\nAnswer:", "scores": {"mistralai/Mistral-7B-v0.1": 1, "meta-llama/Meta-Llama-3-8B": 0.25}, "cluster_id": 3},
         {"question": "Question: 3+3?", "scores": {"mistralai/Mistral-7B-v0.1": 0, "meta-llama/Meta-Llama-3-8B": null}},
         {"question": "Question: 4+4?", "scores": {"mistralai/Mistral-7B-v0.1": 0.5, "meta-llama/Meta-Llama-3-8B": 1}}]
        """);
    Files.writeString(dir.resolve("gsm8k-test.json"), """
        [{"question": "Question: 5+5?", "scores": {"mistralai/Mistral-7B-v0.1": 1, "meta-llama/Meta-Llama-3-8B": 1}}]
        """);
    PriceTable prices = PriceFiles.read(carrotPrices());
    List<Path> in = List.of(dir.resolve("gsm8k-train.json"), dir.resolve("gsm8k-test.json"));
    assertThatThrownBy(() -> new RouterDcImporter().read(in, new ImportOptions("dc", prices, null, tokens)))
        .hasMessageContaining("pass --output-tokens N");
    assertThatThrownBy(() -> new RouterDcImporter().read(in, new ImportOptions("dc", null, 100, tokens)))
        .hasMessageContaining("pass --prices");

    ImportResult r = new RouterDcImporter().read(in, new ImportOptions("dc", prices, 100, tokens));
    Dataset d = r.dataset();
    assertThat(d.models()).containsExactly("mistralai/Mistral-7B-v0.1", "meta-llama/Meta-Llama-3-8B");
    assertThat(d.prompts()).extracting(PromptRecord::id).containsExactly("gsm8k-train#0", "gsm8k-train#2", "gsm8k-test#0");
    PromptRecord p = d.prompts().get(0);
    assertThat(p.prompt()).isEqualTo("Question: 2+2?\nAnswer:");
    assertThat(p.source()).isEqualTo("gsm8k");
    assertThat(p.scores()).containsExactly(1.0, 0.25);
    assertThat(p.inputTokens()).containsExactly(tokens.count(p.prompt()), tokens.count(p.prompt()));
    assertThat(p.outputTokens()).containsExactly(100, 100);
    assertThat(d.prices().price("meta-llama/Meta-Llama-3-8B").source()).isEqualTo("a quote");
    assertThat(d.prices().price("mistralai/Mistral-7B-v0.1").source()).isEqualTo("--prices models.json");
    assertThat(d.rows(Split.TEST)).extracting(PromptRecord::id).containsExactly("gsm8k-test#0");
    assertThat(r.derivation()).anyMatch(s -> s.contains("ASSUMED 100"))
        .anyMatch(s -> s.contains("1 rows (missing score for meta-llama/Meta-Llama-3-8B)"));

    Path out = dir.resolve("dc");
    DatasetWriter.write(d, r.readme(), out);
    assertThat(DatasetReader.read(out).prompts()).hasSize(3);
  }

  @Test
  void routerDcScoresOutsideTheUnitIntervalAreRejected() throws Exception {
    Files.writeString(dir.resolve("t.json"), "[{\"question\": \"q\", \"scores\": {\"a\": 3}}]");
    PriceTable p = PriceTable.fromJson(io.carrot.core.files.Json.MAPPER.readTree("{\"a\": {\"input_per_mtok\": 1, \"output_per_mtok\": 1}}"), "t");
    assertThatThrownBy(() -> new RouterDcImporter().read(List.of(dir.resolve("t.json")), new ImportOptions("t", p, 10, tokens)))
        .hasMessage("t.json item 0: scores.a = 3.0, expected a number in [0, 1]");
  }

  @Test
  void llmRouterGroupsRowsPerQueryAndReadsItsOwnPriceFile() throws Exception {
    Files.writeString(dir.resolve("default_llm.json"), """
        {"qwen2.5-7b-instruct": {"size": "7B", "feature": "...", "input_price": 0.2, "output_price": 0.2,
                                 "model": "qwen/qwen2.5-7b-instruct", "service": "NVIDIA", "api_endpoint": "https://x/v1"},
         "llama3-70b-instruct": {"size": "70B", "feature": "...", "input_price": 0.9, "output_price": 0.9,
                                 "model": "meta/llama3-70b-instruct", "service": "NVIDIA", "api_endpoint": "https://x/v1"}}
        """);
    String row = "{\"task_name\": \"%s\", \"query\": \"%s\", \"ground_truth\": \"4\", \"metric\": \"GSM8K\", \"choices\": null,"
        + " \"task_id\": null, \"model_name\": \"%s\", \"response\": \"r\", \"token_num\": 10, \"input_tokens\": %d,"
        + " \"output_tokens\": %d, \"response_time\": 1.5, \"api_key_used\": \"\", \"performance\": %s, \"embedding_id\": %d,"
        + " \"user_id\": null, \"fig_id\": null}";
    Files.write(dir.resolve("default_routing_train_data.jsonl"), List.of(
        row.formatted("gsm8k", "2+2?", "qwen2.5-7b-instruct", 9, 3, "1.0", 42),
        row.formatted("gsm8k", "2+2?", "llama3-70b-instruct", 9, 5, "0.0", 42),
        row.formatted("gsm8k", "2+2?", "llama3-70b-instruct", 9, 5, "1.0", 42),
        row.formatted("mmlu", "Capital of France?", "qwen2.5-7b-instruct", 20, 1, "1", 7)));
    Files.write(dir.resolve("default_routing_test_data.jsonl"), List.of(
        row.formatted("mmlu", "Largest planet?", "llama3-70b-instruct", 11, 2, "0.5", 8),
        row.formatted("mmlu", "Largest planet?", "qwen2.5-7b-instruct", 11, 4, "0.25", 8)));
    ImportResult r = new LlmRouterImporter().read(
        List.of(dir.resolve("default_routing_train_data.jsonl"), dir.resolve("default_routing_test_data.jsonl")),
        new ImportOptions("llmr", PriceFiles.read(dir.resolve("default_llm.json")), null, tokens));
    Dataset d = r.dataset();
    assertThat(d.models()).containsExactly("qwen2.5-7b-instruct", "llama3-70b-instruct");
    assertThat(d.prompts()).extracting(PromptRecord::id).containsExactly("e42", "e8");
    PromptRecord q = d.prompts().get(0);
    assertThat(q.scores()).containsExactly(1.0, 0.0);
    assertThat(q.inputTokens()).containsExactly(9, 9);
    assertThat(q.outputTokens()).containsExactly(3, 5);
    assertThat(q.source()).isEqualTo("gsm8k");
    assertThat(d.prices().price("llama3-70b-instruct").inputPerMtok()).isEqualTo(0.9);
    assertThat(d.rows(Split.TEST)).extracting(PromptRecord::id).containsExactly("e8");
    assertThat(r.derivation()).anyMatch(s -> s.contains("1 rows (no row for llama3-70b-instruct)")
        && s.contains("1 repeated (query, model) rows ignored (first kept)"));
  }
}
