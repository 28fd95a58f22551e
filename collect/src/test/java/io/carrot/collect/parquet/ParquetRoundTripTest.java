package io.carrot.collect.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.collect.dataset.DatasetWriter;
import io.carrot.collect.imports.ImportOptions;
import io.carrot.collect.imports.ImportResult;
import io.carrot.collect.imports.SproutImporter;
import io.carrot.core.CarrotException;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.DatasetReader;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.embed.Cl100kTokenCounter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export to Parquet and import back (SPROUT layout) gives the same dataset, for every codec. */
class ParquetRoundTripTest {
  @TempDir Path dir;

  /** A seeded random dataset: 3 models (names with '/' and '.'), fractional tokens for one, costs, a split. */
  static Dataset sample(boolean withCost) {
    List<String> models = List.of("openai/gpt-4o", "meta.llama-3-8b", "tiny");
    Map<String, ModelPrice> p = new LinkedHashMap<>();
    p.put("openai/gpt-4o", new ModelPrice(2.5, 10, "test"));
    p.put("meta.llama-3-8b", new ModelPrice(0.05, 0.08, ""));
    p.put("tiny", new ModelPrice(0, 0.01, "free input"));
    Random rnd = new Random(7);
    List<PromptRecord> rows = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      double[] s = new double[3];
      double[] in = new double[3];
      double[] out = new double[3];
      double[] c = new double[3];
      for (int m = 0; m < 3; m++) {
        s[m] = Math.round(rnd.nextDouble() * 10) / 10.0;
        in[m] = 10 + rnd.nextInt(500);
        out[m] = m == 2 ? rnd.nextInt(300) + 0.5 : rnd.nextInt(900);
        c[m] = rnd.nextDouble() / 1000;
      }
      rows.add(new PromptRecord("q" + i, "Prompt \"" + i + "\"\nwith ünïcode ✓", i % 3 == 0 ? "math" : "chat", s, in, out,
          withCost ? c : null));
    }
    Map<Split, int[]> split = new EnumMap<>(Split.class);
    split.put(Split.TRAIN, java.util.stream.IntStream.range(0, 28).toArray());
    split.put(Split.VALIDATION, java.util.stream.IntStream.range(28, 34).toArray());
    split.put(Split.TEST, java.util.stream.IntStream.range(34, 40).toArray());
    return new Dataset("sample", "", models, new PriceTable(p), rows, split);
  }

  @ParameterizedTest
  @EnumSource(value = CompressionCodecName.class, names = {"UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD"})
  void exportThenImportGivesTheSameDataset(CompressionCodecName codec) {
    Dataset d = sample(true);
    Path file = dir.resolve("sample.parquet");
    ParquetExporter.export(d, file, codec);
    ImportResult r = new SproutImporter().read(List.of(file), new ImportOptions("sample", null, null, new Cl100kTokenCounter()));
    assertSame(d, r.dataset());
    assertThat(ParquetTables.header(file).metadata()).containsEntry(ParquetExporter.KEY_FORMAT, ParquetExporter.FORMAT);
  }

  @Test
  void aDatasetFolderSurvivesExportImportWriteByteForByte() throws Exception {
    Path a = dir.resolve("a");
    Dataset d = sample(false);
    DatasetWriter.write(d, "# sample\n", a);
    Dataset read = DatasetReader.read(a);
    ParquetExporter.export(read, dir.resolve("a.parquet"), CompressionCodecName.SNAPPY);
    ImportResult r = new SproutImporter().read(List.of(dir.resolve("a.parquet")), new ImportOptions("a", null, null, new Cl100kTokenCounter()));
    Path b = dir.resolve("b");
    DatasetWriter.write(r.dataset(), "# sample\n", b);
    for (String f : List.of("prompts.jsonl.gz", "models.json", "split.json")) {
      assertThat(Files.readAllBytes(b.resolve(f))).as(f).isEqualTo(Files.readAllBytes(a.resolve(f)));
    }
  }

  @Test
  void theShippedRouterBenchSubsetRoundTripsThroughParquet() {
    Dataset d = DatasetReader.read(Path.of("../data/routerbench_subset"));
    Path file = dir.resolve("rb.parquet");
    ParquetExporter.export(d, file, CompressionCodecName.ZSTD);
    ImportResult r = new SproutImporter().read(List.of(file), new ImportOptions("rb", null, null, new Cl100kTokenCounter()));
    assertSame(d, r.dataset());
    assertThat(r.dataset().prompts()).hasSize(3150);
  }

  @Test
  void modelsNamedLikeAColumnAreRefused() {
    Dataset d = sample(false);
    Map<String, ModelPrice> p = new LinkedHashMap<>();
    for (String m : List.of("prompt", "b", "c")) {
      p.put(m, new ModelPrice(1, 1, ""));
    }
    Dataset bad = new Dataset("bad", "", List.of("prompt", "b", "c"), new PriceTable(p), d.prompts(), d.split());
    assertThatThrownBy(() -> ParquetExporter.export(bad, dir.resolve("x.parquet"), CompressionCodecName.SNAPPY))
        .isInstanceOf(CarrotException.class).hasMessageContaining("model 'prompt' has the name of a Parquet column");
  }

  @Test
  void unknownCompressionNamesTheChoices() {
    assertThatThrownBy(() -> ParquetExporter.codec("lz4")).hasMessage("--compression lz4: expected snappy, gzip, zstd or none");
    assertThat(ParquetExporter.codec("none")).isEqualTo(CompressionCodecName.UNCOMPRESSED);
  }

  static void assertSame(Dataset want, Dataset got) {
    assertThat(got.models()).containsExactlyElementsOf(want.models());
    assertThat(got.prices().asMap()).isEqualTo(want.prices().asMap());
    assertThat(got.prompts()).hasSameSizeAs(want.prompts());
    for (int i = 0; i < want.prompts().size(); i++) {
      PromptRecord w = want.prompts().get(i);
      PromptRecord g = got.prompts().get(i);
      assertThat(g.id()).isEqualTo(w.id());
      assertThat(g.prompt()).isEqualTo(w.prompt());
      assertThat(g.source()).isEqualTo(w.source());
      assertThat(g.scores()).containsExactly(w.scores());
      assertThat(g.inputTokens()).containsExactly(w.inputTokens());
      assertThat(g.outputTokens()).containsExactly(w.outputTokens());
      if (w.cost() == null) {
        assertThat(g.cost()).isNull();
      } else {
        assertThat(g.cost()).containsExactly(w.cost());
      }
    }
    for (Split s : Split.values()) {
      assertThat(got.rows(s)).extracting(PromptRecord::id).containsExactlyElementsOf(
          want.rows(s).stream().map(PromptRecord::id).toList());
    }
  }
}
