package io.carrot.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.carrot.core.CarrotException;
import io.carrot.core.files.Json;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticEmbedderTest {
  private static StaticEmbedder fast;

  @TempDir Path dir;

  @BeforeAll
  static void load() {
    fast = StaticEmbedder.shipped();
  }

  @Test
  void theShippedTableSaysWhatItIsAndWhereItCameFrom() {
    StaticTable t = fast.table();
    assertThat(fast.id()).isEqualTo("static-minilm-" + t.dimension());
    assertThat(t.vocabSize()).isEqualTo(30522);
    assertThat(t.tokenizerResource()).isEqualTo(OnnxModel.ALL_MINILM_L6_V2.tokenizerResource());
    assertThat(t.provenance().path("source_model").path("id").asText()).isEqualTo("all-minilm-l6-v2");
    assertThat(t.provenance().path("source_model").path("sha256").asText()).hasSize(64);
    assertThat(t.provenance().path("pca").path("dimension").asInt()).isEqualTo(t.dimension());
    assertThat(t.provenance().path("command").asText()).startsWith("carrot embed distill");
    assertThat(Embedders.create("fast").id()).isEqualTo(fast.id());
    assertThat(Embedders.create(fast.id()).id()).isEqualTo(fast.id());
  }

  @Test
  void aPromptIsTheNormalizedSumOfItsTokensRows() {
    WordPieceTokenizer tok = WordPieceTokenizer.fromClasspath(fast.table().tokenizerResource());
    String text = "What is the integral of x^2 from 0 to 3?";
    int[] ids = tok.wordPieceIds(text);
    int d = fast.dimension();
    double[] sum = new double[d];
    for (int id : ids) {
      for (int j = 0; j < d; j++) {
        sum[j] += fast.table().scales()[id] * fast.table().rows()[id * d + j];
      }
    }
    double norm = Math.sqrt(Arrays.stream(sum).map(x -> x * x).sum());
    float[] v = fast.embed(text);
    assertThat(v).hasSize(d);
    for (int j = 0; j < d; j++) {
      assertThat((double) v[j]).isCloseTo(sum[j] / norm, within(1e-6));
    }
    // a bag of tokens: order does not matter, repetition does
    assertThat(fast.embed("world hello")).containsExactly(fast.embed("hello world"));
    assertThat(fast.embed("hello hello world")).isNotEqualTo(fast.embed("hello world"));
    assertThat(fast.embed("")).containsOnly(0f).hasSize(d);
    assertThat(fast.embed(List.of("a", "b"))).hasNumberOfRows(2);
  }

  @Test
  void unitLengthOnRandomText() {
    Random r = new Random(7);
    for (int i = 0; i < 200; i++) {
      StringBuilder sb = new StringBuilder();
      int n = 1 + r.nextInt(300);
      for (int k = 0; k < n; k++) {
        sb.append((char) (r.nextInt(3) == 0 ? ' ' : 32 + r.nextInt(0x2FF)));
      }
      float[] v = fast.embed(sb.toString());
      double s = 0;
      for (float x : v) {
        s += x * x;
      }
      assertThat(s == 0 || Math.abs(s - 1) < 1e-5).as("norm^2 %s of %s", s, sb).isTrue();
    }
  }

  @Test
  void aTableRoundTripsThroughItsFileAndBadFilesAreNamed() throws Exception {
    float[][] rows = {{127f, -64f}, {0.5f, 0.3f}, {0f, 0f}};
    var prov = Json.COMPACT.createObjectNode().put("how", "by hand");
    StaticTable t = StaticTable.quantize("static-test-2", "tok.json", "abc", rows, prov);
    // each row's largest magnitude maps to 127; the rest round to within half a step
    assertThat(t.scales()).containsExactly(1f, 0.5f / 127, 0f);
    assertThat(Arrays.copyOfRange(t.rows(), 0, 3)).containsExactly(127, -64, 127);
    assertThat(t.scales()[1] * t.rows()[3]).isCloseTo(0.3f, within(t.scales()[1] / 2));
    assertThat(Arrays.copyOfRange(t.rows(), 4, 6)).containsExactly(0, 0);
    Path f = dir.resolve("t.carrot-static");
    t.write(f);
    StaticTable back = StaticTable.read(f);
    assertThat(back.id()).isEqualTo("static-test-2");
    assertThat(back.tokenizerResource()).isEqualTo("tok.json");
    assertThat(back.vocabSha256()).isEqualTo("abc");
    assertThat(back.dimension()).isEqualTo(2);
    assertThat(back.scales()).containsExactly(t.scales());
    assertThat(back.rows()).containsExactly(t.rows());
    assertThat(back.provenance().path("how").asText()).isEqualTo("by hand");

    byte[] bytes = Files.readAllBytes(f);
    assertThatThrownBy(() -> StaticTable.read(new ByteArrayInputStream(Arrays.copyOf(bytes, bytes.length - 1)), "cut"))
        .isInstanceOf(CarrotException.class).hasMessage("cut: ends early; the static table is truncated");
    byte[] wrong = bytes.clone();
    wrong[0] = 'X';
    assertThatThrownBy(() -> StaticTable.read(new ByteArrayInputStream(wrong), "w"))
        .hasMessageContaining("expected a carrot static embedding table");
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    assertThatThrownBy(() -> StaticTable.read(new ByteArrayInputStream(longer), "l"))
        .hasMessageContaining("bytes after the last row");
  }

  @Test
  void aTableMadeForAnotherVocabularyIsRefused() {
    WordPieceTokenizer tok = WordPieceTokenizer.fromClasspath(fast.table().tokenizerResource());
    StaticTable t = fast.table();
    StaticTable other = new StaticTable(t.id(), t.tokenizerResource(), "0".repeat(64), t.dimension(), t.scales(), t.rows(), t.provenance());
    assertThatThrownBy(() -> new StaticEmbedder(other, tok)).hasMessageContaining("made for vocabulary 0000");
    assertThatThrownBy(() -> Embedders.create("static-minilm-7"))
        .hasMessageContaining("does not ship").hasMessageContaining("static:<file>");
  }

  @Test
  void siftWeightsFollowTheZipfPrior() {
    // a / (a + p) with p = 1 / ((id + 2) * H), H = sum of 1/(i+2) over 30522 ids
    double h = 0;
    for (int i = 0; i < 30522; i++) {
      h += 1.0 / (i + 2);
    }
    assertThat(StaticDistiller.weight(1998)).isCloseTo(1e-4 / (1e-4 + 1 / (2000 * h)), within(1e-12));
    assertThat(StaticDistiller.weight(100)).isLessThan(StaticDistiller.weight(2000));
    assertThat(StaticDistiller.weight(20000)).isGreaterThan(0.9).isLessThan(1);
  }
}
