package io.carrot.collect.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.core.data.Dataset;
import io.carrot.core.data.DatasetReader;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetWriterTest {
  @TempDir Path dir;

  static Dataset tiny(int n) {
    Map<String, ModelPrice> p = new LinkedHashMap<>();
    p.put("big", new ModelPrice(10, 30, "list price"));
    p.put("small", new ModelPrice(0.1, 0.2, ""));
    List<PromptRecord> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(new PromptRecord("id" + i, "prompt " + i, i % 2 == 0 ? "even" : "odd",
          new double[] {1, 0.5}, new double[] {10, 11}, new double[] {100, 7}, null));
    }
    return new Dataset("tiny", "", List.of("big", "small"), new PriceTable(p), rows, Splits.seeded(rows));
  }

  @Test
  void writesWhatTheReaderReadsWithAReadme() throws Exception {
    Path out = dir.resolve("tiny");
    Dataset d = tiny(20);
    DatasetWriter.write(d, DatasetReport.readme(d, "A tiny dataset.", List.of("made in a test"), List.of("by hand")), out);
    Dataset back = DatasetReader.read(out);
    assertThat(back.prompts()).hasSize(20);
    assertThat(back.models()).containsExactly("big", "small");
    assertThat(back.prompts().get(3).outputTokens()).containsExactly(100, 7);
    for (Split s : Split.values()) {
      assertThat(back.rows(s)).extracting(PromptRecord::id).containsExactlyElementsOf(d.rows(s).stream().map(PromptRecord::id).toList());
    }
    String readme = Files.readString(out.resolve("README.md"));
    assertThat(readme).startsWith("# tiny\n\nA tiny dataset. 20 prompts x 2 models.")
        .contains("| even | 7 | 2 | 1 | 10 |").contains("| **all** | 14 | 4 | 2 | 20 |")
        .contains("| big | 10 | 30 | 1.0000 | 3.100e-03 |")
        .contains("Best single model: **big**, mean score 1.0000");
    assertThat(Files.readString(out.resolve("prompts.jsonl.gz").resolveSibling("split.json"))).startsWith("{\"train\":[");
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("tiny");
    }
  }

  @Test
  void replacingADatasetKeepsOtherFilesAndIsDeterministic() throws Exception {
    Path out = dir.resolve("d");
    DatasetWriter.write(tiny(10), "v1\n", out);
    byte[] first = Files.readAllBytes(out.resolve("prompts.jsonl.gz"));
    Files.writeString(out.resolve("notes.txt"), "mine");
    DatasetWriter.write(tiny(12), "v2\n", out);
    assertThat(DatasetReader.read(out).prompts()).hasSize(12);
    assertThat(Files.readString(out.resolve("README.md"))).isEqualTo("v2\n");
    assertThat(Files.readString(out.resolve("notes.txt"))).isEqualTo("mine");
    DatasetWriter.write(tiny(10), "v1\n", out);
    assertThat(Files.readAllBytes(out.resolve("prompts.jsonl.gz"))).isEqualTo(first);
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).as("no staging leftovers").containsExactly("d");
    }
  }

  @Test
  void refusesToReplaceAFolderThatIsNotADataset() throws Exception {
    Path home = Files.createDirectories(dir.resolve("home"));
    Files.writeString(home.resolve("thesis.tex"), "precious");
    assertThatThrownBy(() -> DatasetWriter.write(tiny(3), "x", home))
        .hasMessageContaining("exists and is not a dataset folder");
    assertThat(Files.readString(home.resolve("thesis.tex"))).isEqualTo("precious");
  }

  @Test
  void theSeededSplitIsPerSourceAndStable() {
    Dataset a = tiny(40);
    Dataset b = tiny(40);
    for (Split s : Split.values()) {
      assertThat(a.split().get(s)).containsExactly(b.split().get(s));
    }
    // 20 per source: 14 / 3 / 3 each.
    assertThat(a.rows(Split.TRAIN)).hasSize(28).filteredOn(r -> r.source().equals("odd")).hasSize(14);
    assertThat(a.rows(Split.TEST)).hasSize(6).filteredOn(r -> r.source().equals("even")).hasSize(3);
  }
}
