package io.carrot.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.carrot.core.CarrotException;
import io.carrot.core.embed.Embedder;
import io.carrot.core.linalg.VectorMath;
import io.carrot.embed.CachingEmbedderTest.FakeEmbedder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcatEmbedderTest {

  @TempDir Path dir;

  private static final double HALF = Math.sqrt(0.5);

  @Test
  void partsSideBySideEachScaledToHalfTheSquaredLength() {
    FakeEmbedder a = new FakeEmbedder("a/v1");
    FakeEmbedder b = new FakeEmbedder("b/v1");
    try (ConcatEmbedder c = ConcatEmbedder.of(List.of(a, b))) {
      assertThat(c.id()).isEqualTo("concat(a/v1+b/v1)");
      assertThat(c.dimension()).isEqualTo(6);
      float[][] v = c.embed(List.of("x", "longer text", "x"));
      // each part is called once, on the whole batch
      assertThat(a.calls).containsExactly(List.of("x", "longer text", "x"));
      assertThat(b.calls).containsExactly(List.of("x", "longer text", "x"));
      float[] va = FakeEmbedder.vector("a/v1", "longer text");
      float[] vb = FakeEmbedder.vector("b/v1", "longer text");
      for (int d = 0; d < 3; d++) {
        assertThat((double) v[1][d]).isCloseTo(HALF * va[d], within(1e-6));
        assertThat((double) v[1][3 + d]).isCloseTo(HALF * vb[d], within(1e-6));
      }
      for (float[] row : v) {
        assertThat(VectorMath.squaredNorm(row)).isCloseTo(1, within(1e-6));
      }
      // the cosine of the whole is the mean of the parts' cosines
      double cosA = VectorMath.dot(FakeEmbedder.vector("a/v1", "x"), va);
      double cosB = VectorMath.dot(FakeEmbedder.vector("b/v1", "x"), vb);
      assertThat((double) VectorMath.dot(v[0], v[1])).isCloseTo((cosA + cosB) / 2, within(1e-6));
    }
  }

  @Test
  void featuresWeighAQuarterOfAnEmbedder() {
    FakeEmbedder a = new FakeEmbedder("a/v1");
    PromptFeatures f = new PromptFeatures();
    try (ConcatEmbedder c = ConcatEmbedder.of(List.of(a, f))) {
      assertThat(c.id()).isEqualTo("concat(a/v1+features-v1)");
      assertThat(c.weights()).containsExactly(1, 0.25);
      // the weight follows the id, so a cached features part weighs the same
      assertThat(ConcatEmbedder.of(List.of(a, CachingEmbedder.inMemory(f, 1 << 20))).weights()).containsExactly(1, 0.25);
      assertThat(c.dimension()).isEqualTo(3 + 14);
      String p = "What is 2+2?";
      String q = "int main() {\n  return 0;\n}";
      float[][] v = c.embed(List.of(p, q));
      float[] fp = f.embed(p);
      for (int d = 0; d < 14; d++) {
        assertThat((double) v[0][3 + d]).isCloseTo(Math.sqrt(0.2) * fp[d], within(1e-6));
      }
      double cosA = VectorMath.dot(FakeEmbedder.vector("a/v1", p), FakeEmbedder.vector("a/v1", q));
      double cosF = VectorMath.dot(fp, f.embed(q));
      assertThat((double) VectorMath.dot(v[0], v[1])).isCloseTo(0.8 * cosA + 0.2 * cosF, within(1e-6));
    }
  }

  @Test
  void aPartsZeroRowLeavesTheOthersRenormalized() {
    FakeEmbedder a = new FakeEmbedder("a/v1");
    try (ConcatEmbedder c = ConcatEmbedder.of(List.of(a, new PromptFeatures()))) {
      float[][] v = c.embed(List.of("  "));
      float[] expected = FakeEmbedder.vector("a/v1", "  ");
      for (int d = 0; d < 3; d++) {
        assertThat((double) v[0][d]).isCloseTo(expected[d], within(1e-6));
      }
      assertThat(java.util.Arrays.copyOfRange(v[0], 3, 17)).containsOnly(0f);
    }
  }

  @Test
  void closingClosesEveryPart() {
    AtomicBoolean closedA = new AtomicBoolean();
    AtomicBoolean closedB = new AtomicBoolean();
    Embedder a = closing(new FakeEmbedder("a/v1"), closedA);
    Embedder b = closing(new FakeEmbedder("b/v1"), closedB);
    ConcatEmbedder.of(List.of(a, b)).close();
    assertThat(closedA).isTrue();
    assertThat(closedB).isTrue();
  }

  private static Embedder closing(FakeEmbedder e, AtomicBoolean closed) {
    return new Embedder() {
      @Override
      public String id() {
        return e.id();
      }

      @Override
      public int dimension() {
        return e.dimension();
      }

      @Override
      public float[][] embed(List<String> texts) {
        return e.embed(texts);
      }

      @Override
      public void close() {
        closed.set(true);
      }
    };
  }

  @Test
  void theDiskCacheKeepsEachPartSoAConcatenationReusesWhatAPartCachedAlone() throws java.io.IOException {
    List<String> texts = List.of("one", "two", "three");
    try (CachingEmbedder alone = new CachingEmbedder(new FakeEmbedder("a/v1"), dir)) {
      alone.embed(texts);
    }
    FakeEmbedder a = new FakeEmbedder("a/v1");
    FakeEmbedder b = new FakeEmbedder("b/v1");
    float[][] expected;
    try (ConcatEmbedder plain = ConcatEmbedder.of(List.of(new FakeEmbedder("a/v1"), new FakeEmbedder("b/v1")))) {
      expected = plain.embed(List.of("two", "four", "one", "three"));
    }
    ConcatEmbedder concat = ConcatEmbedder.of(List.of(a, b, new PromptFeatures()));
    try (CachingEmbedder c = new CachingEmbedder(concat, dir)) {
      assertThat(c.id()).isEqualTo("concat(a/v1+b/v1+features-v1)");
      c.embed(List.of("two", "four", "one", "three"));
      assertThat(a.calls).containsExactly(List.of("four"));
      assertThat(b.calls).containsExactly(List.of("two", "four", "one", "three"));
      c.embed(List.of("one", "four"));
      assertThat(a.calls).hasSize(1);
      assertThat(b.calls).hasSize(1);
      assertThat(c.delegate()).isSameAs(concat);
    }
    // one file per embedder part, none for the features or the concatenation
    assertThat(dir.resolve(EmbeddingCache.fileName("a/v1"))).exists();
    assertThat(dir.resolve(EmbeddingCache.fileName("b/v1"))).exists();
    assertThat(dir.resolve(EmbeddingCache.fileName("features-v1"))).doesNotExist();
    try (var files = Files.list(dir)) {
      assertThat(files.count()).isEqualTo(2);
    }
    try (CachingEmbedder again = new CachingEmbedder(ConcatEmbedder.of(List.of(new FakeEmbedder("a/v1"), b)), dir)) {
      float[][] v = again.embed(List.of("two", "four", "one", "three"));
      assertThat(b.calls).hasSize(1);
      for (int i = 0; i < v.length; i++) {
        assertThat(v[i]).containsExactly(expected[i]);
      }
    }
  }

  @Test
  void realPartsRoundTripThroughTheirId() {
    try (Embedder e = Embedders.create("concat:minilm+fast+features")) {
      assertThat(e.id()).isEqualTo("concat(all-minilm-l6-v2/head-tail-256+static-minilm-256+features-v1)");
      assertThat(e.dimension()).isEqualTo(384 + 256 + 14);
      try (Embedder again = Embedders.create(e.id())) {
        assertThat(again.id()).isEqualTo(e.id());
        List<String> texts = List.of("Write a haiku about autumn", "What is 2+2?", "");
        float[][] v = e.embed(texts);
        float[][] w = again.embed(texts);
        for (int i = 0; i < v.length; i++) {
          assertThat(VectorMath.squaredNorm(v[i])).isCloseTo(1, within(1e-5));
          assertThat(w[i]).containsExactly(v[i]);
        }
        // the same batch, since an int8 model's vectors depend slightly on the rest of its batch
        float[] m = ((ConcatEmbedder) e).parts().get(0).embed(texts)[0];
        double scale = Math.sqrt(1 / 2.25);
        for (int d = 0; d < 384; d++) {
          assertThat((double) v[0][d]).isCloseTo(scale * m[d], within(1e-6));
        }
      }
    }
    try (Embedder e = Embedders.create(" CONCAT:fast + Features ")) {
      assertThat(e.id()).isEqualTo("concat(static-minilm-256+features-v1)");
    }
  }

  @Test
  void badNamesSayWhatWasWrongAndWhatIsExpected() {
    String[][] cases = {
        {"concat:fast", "one part"},
        {"concat:", "no parts"},
        {"concat:fast+", "an empty part"},
        {"concat:+fast", "an empty part"},
        {"concat(static-minilm-256+features-v1", "must end with ')'"},
        {"concat:fast+concat:minilm+features", "cannot be a concatenation"},
        {"concat:fast+static-minilm-256", "appears twice"},
        {"concat:fast+bert", "'bert' is not a known embedder name"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> Embedders.create(c[0]))
          .as(c[0])
          .isInstanceOf(CarrotException.class)
          .hasMessageContaining(c[0])
          .hasMessageContaining(c[1])
          .hasMessageContaining(c[1].equals("appears twice") ? "distinct" : "concat:<name>+<name>")
          .message().doesNotContain("\n");
    }
  }
}
