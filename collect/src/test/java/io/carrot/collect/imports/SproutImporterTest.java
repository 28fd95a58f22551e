package io.carrot.collect.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.collect.dataset.DatasetWriter;
import io.carrot.collect.parquet.ParquetTables;
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
import java.util.List;
import java.util.Map;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SPROUT's layout, written here the way the Hugging Face release stores it (snappy, HF file names). */
class SproutImporterTest {
  @TempDir Path dir;

  static final List<String> MODELS = List.of("openai-gpt-4o", "wxai-llama-3-1-8b-instruct");
  static final PriceTable PRICES = new PriceTable(Map.of(
      "openai-gpt-4o", new ModelPrice(2.5, 10, "test"), "wxai-llama-3-1-8b-instruct", new ModelPrice(0.1, 0.1, "test"),
      "unused-model", new ModelPrice(1, 1, "test")));

  static MessageType schema() {
    var b = Types.buildMessage();
    b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("prompt");
    b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("golden_answer");
    b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("dataset");
    for (String m : MODELS) {
      b.addField(Types.optionalGroup()
          .optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("response")
          .optional(PrimitiveTypeName.DOUBLE).named("score")
          .optional(PrimitiveTypeName.INT64).named("num_input_tokens")
          .optional(PrimitiveTypeName.INT64).named("num_output_tokens")
          .named(m));
    }
    return b.named("schema");
  }

  /** Rows: {prompt, dataset, gpt score, gpt out tokens, llama score (null = missing), llama out tokens}. */
  static void write(Path file, Object[][] rows) {
    MessageType s = schema();
    SimpleGroupFactory f = new SimpleGroupFactory(s);
    ParquetTables.write(file, s, Map.of(), CompressionCodecName.SNAPPY, w -> {
      for (Object[] r : rows) {
        Group g = f.newGroup().append("prompt", (String) r[0]).append("golden_answer", "x").append("dataset", (String) r[1]);
        Group a = g.addGroup(MODELS.get(0));
        a.append("response", "resp").append("score", (double) r[2]).append("num_input_tokens", 12L).append("num_output_tokens", (long) (int) r[3]);
        Group b = g.addGroup(MODELS.get(1));
        b.append("response", "resp");
        if (r[4] != null) {
          b.append("score", (double) r[4]);
        }
        b.append("num_input_tokens", 13L).append("num_output_tokens", (long) (int) r[5]);
        w.write(g);
      }
    });
  }

  @Test
  void importsTheHuggingFaceLayoutWithItsTrainAndTestFiles() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Object[][] train = new Object[20][];
    for (int i = 0; i < 20; i++) {
      train[i] = new Object[] {"train prompt " + i, i % 2 == 0 ? "TIGER-Lab/MMLU-Pro" : "lighteval/MATH/all", 0.1 * (i % 11), 100 + i, 0.5, 40};
    }
    train[3][4] = null;
    write(data.resolve("train-00000-of-00001.parquet"), train);
    write(data.resolve("test-00000-of-00001.parquet"), new Object[][] {
        {"test prompt", "TIGER-Lab/MMLU-Pro", 1.0, 7, 0.0, 3}, {"second test prompt", "lighteval/MATH/all", 0.9, 8, 0.2, 4}});

    ImportResult r = new SproutImporter().read(
        List.of(data.resolve("train-00000-of-00001.parquet"), data.resolve("test-00000-of-00001.parquet")),
        new ImportOptions("sprout", PRICES, null, new Cl100kTokenCounter()));
    Dataset d = r.dataset();
    assertThat(d.models()).containsExactlyElementsOf(MODELS);
    assertThat(d.prices().models()).containsExactlyElementsOf(MODELS);
    assertThat(d.prompts()).hasSize(21);
    PromptRecord first = d.prompts().get(0);
    assertThat(first.id()).isEqualTo("train-00000-of-00001#0");
    assertThat(first.source()).isEqualTo("TIGER-Lab/MMLU-Pro");
    assertThat(first.scores()).containsExactly(0.0, 0.5);
    assertThat(first.inputTokens()).containsExactly(12, 13);
    assertThat(first.outputTokens()).containsExactly(100, 40);
    assertThat(d.rows(Split.TEST)).extracting(PromptRecord::id)
        .containsExactly("test-00000-of-00001#0", "test-00000-of-00001#1");
    // 19 train rows in two sources (10 and 9): round(15% of each) = 2 + 1 go to validation.
    assertThat(d.rows(Split.VALIDATION)).hasSize(3);
    assertThat(d.rows(Split.TRAIN)).hasSize(16);
    assertThat(r.derivation()).anyMatch(s -> s.contains("1 rows (missing score or token count for wxai-llama-3-1-8b-instruct)"));

    Path out = dir.resolve("sprout");
    DatasetWriter.write(d, r.readme(), out);
    Dataset back = DatasetReader.read(out);
    assertThat(back.prompts()).hasSize(21);
    assertThat(Files.readString(out.resolve("README.md"))).contains("train-00000-of-00001.parquet").contains("sha256");
  }

  @Test
  void withoutPricesItSaysWhichModelsNeedThem() {
    Path f = dir.resolve("x.parquet");
    write(f, new Object[][] {{"p", "d", 1.0, 1, 1.0, 1}});
    assertThatThrownBy(() -> new SproutImporter().read(List.of(f), new ImportOptions("x", null, null, new Cl100kTokenCounter())))
        .isInstanceOf(CarrotException.class)
        .hasMessageContaining("SPROUT files carry no prices; pass --prices").hasMessageContaining("openai-gpt-4o");
  }

  @Test
  void aScoreOutsideTheUnitIntervalIsReportedWithFileRowAndField() {
    Path f = dir.resolve("bad.parquet");
    write(f, new Object[][] {{"p", "d", 1.0, 1, 1.0, 1}, {"q", "d", 7.0, 1, 1.0, 1}});
    assertThatThrownBy(() -> new SproutImporter().read(List.of(f), new ImportOptions("x", PRICES, null, new Cl100kTokenCounter())))
        .hasMessage("bad.parquet row 1: openai-gpt-4o.score = 7.0, expected a number in [0, 1]");
  }

  @Test
  void aFileWithoutModelStructsIsNotSprout() {
    Path f = dir.resolve("flat.parquet");
    MessageType s = Types.buildMessage().required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("prompt").named("m");
    ParquetTables.write(f, s, Map.of(), CompressionCodecName.UNCOMPRESSED, w -> w.write(new SimpleGroupFactory(s).newGroup().append("prompt", "p")));
    assertThatThrownBy(() -> new SproutImporter().read(List.of(f), new ImportOptions("x", PRICES, null, new Cl100kTokenCounter())))
        .hasMessageContaining("no model columns").hasMessageContaining("[prompt]");
  }

  @Test
  void aDamagedDataPageIsAOneLineErrorNamingTheFile() throws Exception {
    Path f = dir.resolve("damaged.parquet");
    Object[][] rows = new Object[200][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = new Object[] {"prompt number " + i, "d", 1.0, i, 0.0, i};
    }
    write(f, rows);
    byte[] b = java.nio.file.Files.readAllBytes(f);
    // the footer (schema, offsets) stays intact: its length is the int before the trailing "PAR1"
    int footer = java.nio.ByteBuffer.wrap(b, b.length - 8, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
    int dataEnd = b.length - 8 - footer;
    for (int i = 4 + dataEnd / 8; i < dataEnd / 2; i++) {
      b[i] = (byte) (i * 31);
    }
    java.nio.file.Files.write(f, b);
    assertThat(ParquetTables.header(f).rows()).isEqualTo(200);
    assertThatThrownBy(() -> new SproutImporter().read(List.of(f), new ImportOptions("x", PRICES, null, new Cl100kTokenCounter())))
        .isInstanceOf(io.carrot.core.CarrotException.class)
        .hasMessageStartingWith(f + ": ")
        .hasMessageNotContaining("LocalInputFile@")
        .hasMessageNotContaining("\n");
  }
}
