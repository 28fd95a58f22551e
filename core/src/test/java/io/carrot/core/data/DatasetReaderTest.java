package io.carrot.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.core.CarrotException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetReaderTest {
  @TempDir Path dir;

  static final String MODELS =
      "{\"a\": {\"input_per_mtok\": 1, \"output_per_mtok\": 2}, \"b\": {\"input_per_mtok\": 10, \"output_per_mtok\": 20, \"price_source\": \"x\"}}";

  static String row(String id, String scoreA) {
    return "{\"id\": \"" + id + "\", \"prompt\": \"p " + id + "\", \"source\": \"s\", \"scores\": {\"a\": " + scoreA
        + ", \"b\": 1}, \"input_tokens\": {\"a\": 10, \"b\": 10}, \"output_tokens\": {\"a\": 100, \"b\": 200}}";
  }

  void write(String prompts, String split) throws IOException {
    Files.writeString(dir.resolve("models.json"), MODELS);
    Files.writeString(dir.resolve("prompts.jsonl"), prompts);
    if (split != null) {
      Files.writeString(dir.resolve("split.json"), split);
    }
  }

  @Test
  void readsAValidDatasetWithSplitAndComputedCost() throws IOException {
    write(row("x", "0") + "\n\n" + row("y", "0.5") + "\n", "{\"train\": [\"y\"], \"test\": [\"x\"]}");
    Dataset d = DatasetReader.read(dir);
    assertThat(d.models()).containsExactly("a", "b");
    assertThat(d.prompts()).hasSize(2);
    assertThat(d.rows(Split.TRAIN)).extracting(PromptRecord::id).containsExactly("y");
    assertThat(d.rows(Split.TEST)).extracting(PromptRecord::id).containsExactly("x");
    assertThat(d.rows(Split.VALIDATION)).isEmpty();
    PromptRecord y = d.rows(Split.TRAIN).get(0);
    assertThat(y.scores()).containsExactly(0.5, 1.0);
    // 10 in x $10/M + 200 out x $20/M = 0.0001 + 0.004
    assertThat(y.trueCost(1, d.prices().price("b"))).isCloseTo(0.0041, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(d.sha256()).hasSize(64);
  }

  @Test
  void restrictsModels() throws IOException {
    write(row("x", "0.25"), null);
    Dataset d = DatasetReader.read(dir).withModels(java.util.List.of("b", "a"));
    assertThat(d.models()).containsExactly("b", "a");
    assertThat(d.prompts().get(0).scores()).containsExactly(1.0, 0.25);
    assertThatThrownBy(() -> d.withModels(java.util.List.of("zz")))
        .hasMessageContaining("no model 'zz'");
  }

  @Test
  void scoreOutsideUnitIntervalNamesLineAndField() throws IOException {
    write(row("x", "0") + "\n" + row("y", "1.5"), null);
    assertThatThrownBy(() -> DatasetReader.read(dir))
        .isInstanceOf(CarrotException.class)
        .hasMessage("prompts.jsonl line 2: scores.a = 1.5, expected a number in [0, 1]");
  }

  @Test
  void negativeTokens() throws IOException {
    write(row("x", "0").replace("\"output_tokens\": {\"a\": 100", "\"output_tokens\": {\"a\": -3"), null);
    assertThatThrownBy(() -> DatasetReader.read(dir))
        .hasMessage("prompts.jsonl line 1: output_tokens.a = -3, expected a number >= 0");
  }

  @Test
  void modelMissingFromScoresButNotFromTokensIsAnError() throws IOException {
    write(row("x", "0").replace(", \"b\": 1}", "}"), null);
    assertThatThrownBy(() -> DatasetReader.read(dir))
        .hasMessage("prompts.jsonl line 1: input_tokens has model 'b', which has no score (a model left out of a"
            + " prompt must be left out of every per-model field)");
  }

  @Test
  void sparseRowsReadAsNaNAndKnowWhatTheyHave() throws IOException {
    String sparse = "{\"id\": \"y\", \"prompt\": \"p\", \"scores\": {\"a\": 1, \"b\": null},"
        + " \"input_tokens\": {\"a\": 10}, \"output_tokens\": {\"a\": 5}}";
    write(row("x", "0") + "\n" + sparse, null);
    Dataset d = DatasetReader.read(dir);
    PromptRecord y = d.prompts().get(1);
    assertThat(y.has(0)).isTrue();
    assertThat(y.has(1)).isFalse();
    assertThat(y.complete()).isFalse();
    assertThat(y.observedCount()).isEqualTo(1);
    assertThat(y.scores()[1]).isNaN();
    assertThat(y.outputTokens()[1]).isNaN();
    assertThat(d.prompts().get(0).complete()).isTrue();
  }

  @Test
  void scoredModelWithoutTokensOrAPromptWithNoScoreAreErrors() throws IOException {
    write(row("x", "0").replace("\"output_tokens\": {\"a\": 100, ", "\"output_tokens\": {"), null);
    assertThatThrownBy(() -> DatasetReader.read(dir))
        .hasMessage("prompts.jsonl line 1: output_tokens is missing model 'a', which has a score");
    write("{\"id\": \"y\", \"prompt\": \"p\", \"scores\": {}, \"input_tokens\": {}, \"output_tokens\": {}}", null);
    assertThatThrownBy(() -> DatasetReader.read(dir))
        .hasMessage("prompts.jsonl line 1: scores has no model; expected a score for at least one of [a, b]");
  }

  @Test
  void modelNotInModelsJson() throws IOException {
    write(row("x", "0").replace("\"b\": 1}", "\"b\": 1, \"c\": 0}"), null);
    assertThatThrownBy(() -> DatasetReader.read(dir))
        .hasMessage("prompts.jsonl line 1: scores names model 'c', which is not in models.json");
  }

  @Test
  void malformedJson() throws IOException {
    write(row("x", "0") + "\n{\"id\": ", null);
    assertThatThrownBy(() -> DatasetReader.read(dir)).hasMessageStartingWith("prompts.jsonl line 2: malformed JSON");
  }

  @Test
  void missingField() throws IOException {
    write(row("x", "0").replace("\"prompt\": \"p x\", ", ""), null);
    assertThatThrownBy(() -> DatasetReader.read(dir)).hasMessage("prompts.jsonl line 1: missing field 'prompt'");
  }

  @Test
  void duplicateId() throws IOException {
    write(row("x", "0") + "\n" + row("x", "1"), null);
    assertThatThrownBy(() -> DatasetReader.read(dir))
        .hasMessage("prompts.jsonl line 2: duplicate id 'x' (first on line 1)");
  }

  @Test
  void unknownIdInSplit() throws IOException {
    write(row("x", "0"), "{\"train\": [\"x\", \"nope\"]}");
    assertThatThrownBy(() -> DatasetReader.read(dir))
        .hasMessage("split.json: train[1] = 'nope' is not an id in the prompts file");
  }

  @Test
  void idInTwoSplits() throws IOException {
    write(row("x", "0"), "{\"train\": [\"x\"], \"test\": [\"x\"]}");
    assertThatThrownBy(() -> DatasetReader.read(dir)).hasMessage("split.json: id 'x' is in both train and test");
  }

  @Test
  void missingFolderAndEmptySplit() throws IOException {
    assertThatThrownBy(() -> DatasetReader.read(dir.resolve("nope"))).hasMessageContaining("does not exist");
    write(row("x", "0"), "{\"train\": [\"x\"]}");
    Dataset d = DatasetReader.read(dir);
    assertThatThrownBy(() -> d.requireRows(Split.TEST)).hasMessageContaining("empty test split");
  }

  @Test
  void badPrice() throws IOException {
    write(row("x", "0"), null);
    Files.writeString(dir.resolve("models.json"), "{\"a\": {\"input_per_mtok\": -1, \"output_per_mtok\": 2}}");
    assertThatThrownBy(() -> DatasetReader.read(dir))
        .hasMessage("models.json: model 'a': input_per_mtok must be a finite number >= 0, got -1.0");
  }
}
