package io.carrot.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.carrot.core.CarrotException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OnnxSentenceEmbedderTest {

  private static OnnxSentenceEmbedder headTail;
  private static OnnxSentenceEmbedder head128;

  @BeforeAll
  static void load() {
    headTail = new OnnxSentenceEmbedder(OnnxModel.ALL_MINILM_L6_V2, LongTextStrategy.HEAD_TAIL, 256, 2);
    head128 = new OnnxSentenceEmbedder(OnnxModel.ALL_MINILM_L6_V2, LongTextStrategy.HEAD, 128, 2);
  }

  @AfterAll
  static void close() {
    headTail.close();
    head128.close();
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
    }
    return dot;
  }

  static double norm(float[] a) {
    return Math.sqrt(cosine(a, a));
  }

  /** A prompt of well over 256 wordpieces whose last sentence is {@code ending}. */
  static String longPrompt(String ending) {
    return "Here is a long description of the history of the Roman Empire and its provinces. ".repeat(30)
        + ending;
  }

  @Test
  void idAndDimension() {
    assertThat(headTail.id()).isEqualTo("all-minilm-l6-v2/head-tail-256");
    assertThat(head128.id()).isEqualTo("all-minilm-l6-v2/head-128");
    assertThat(headTail.dimension()).isEqualTo(384);
  }

  @Test
  void matchesSentenceTransformersGoldenValues() {
    // First components of SentenceTransformer("all-MiniLM-L6-v2").encode("hello world"), as
    // pinned in qdrant/fastembed's canonical-vector test.
    float[] v = head128.embed("hello world");
    double[] expected = {-0.034478, 0.03102, 0.00673, 0.02611, -0.039362};
    for (int i = 0; i < expected.length; i++) {
      assertThat((double) v[i]).as("component %d", i).isCloseTo(expected[i], within(2e-5));
    }
  }

  @Test
  void vectorsAreUnitLengthAndDeterministic() {
    List<String> texts = List.of("hello world", "", "Ünïcödé 中文 text!", longPrompt("What now?"));
    float[][] a = headTail.embed(texts);
    float[][] b = headTail.embed(texts);
    assertThat(a).hasNumberOfRows(4);
    for (int i = 0; i < a.length; i++) {
      assertThat(a[i]).hasSize(384);
      assertThat(norm(a[i])).as("norm of row %d", i).isCloseTo(1.0, within(1e-5));
      assertThat(a[i]).containsExactly(b[i]);
    }
  }

  @Test
  void batchEqualsOneByOne() {
    List<String> texts = List.of(
        "What is the capital of France?",
        "hi",
        longPrompt("Summarize the above in one sentence."),
        "A somewhat longer sentence about routing prompts between language models by cost.",
        "");
    float[][] batch = headTail.embed(texts);
    for (int i = 0; i < texts.size(); i++) {
      float[] single = headTail.embed(texts.get(i));
      for (int d = 0; d < single.length; d++) {
        assertThat(batch[i][d]).as("text %d dim %d", i, d).isCloseTo(single[d], within(1e-5f));
      }
    }
  }

  @Test
  void paraphrasesAreCloserThanUnrelatedQuestions() {
    float[][] v = headTail.embed(List.of(
        "What is the capital of France?",
        "Which city is France's capital?",
        "How do I bake sourdough bread?"));
    double para = cosine(v[0], v[1]);
    double unrelated = cosine(v[0], v[2]);
    assertThat(para).isGreaterThan(unrelated + 0.3);
  }

  @Test
  void headTailSeesTheEndOfLongPromptsAndHeadDoesNot() {
    OnnxSentenceEmbedder head256 =
        new OnnxSentenceEmbedder(OnnxModel.ALL_MINILM_L6_V2, LongTextStrategy.HEAD, 256, 1);
    try (head256) {
      String a = longPrompt("Translate this into German.");
      String b = longPrompt("Write a Python function that sorts a list.");
      assertThat(headTail.tokenizer().wordPieceIds(a).length).isGreaterThan(300);
      float[][] h = head256.embed(List.of(a, b));
      float[][] ht = headTail.embed(List.of(a, b));
      // The heads are identical, so HEAD cannot tell the prompts apart; HEAD_TAIL can.
      assertThat(h[0]).containsExactly(h[1]);
      assertThat(cosine(ht[0], ht[1])).isLessThan(0.99);
      assertThat(ht[0]).isNotEqualTo(h[0]);
    }
  }

  @Test
  void pooledOutputEqualsAveragedWindowComputation() {
    String text = longPrompt("Explain quantum entanglement simply.");
    int[] ids = headTail.tokenizer().wordPieceIds(text);
    int[] headIds = Arrays.copyOfRange(ids, 0, 254);
    int[] tailIds = Arrays.copyOfRange(ids, ids.length - 254, ids.length);
    float[][] windows = headTail.embedWindows(List.of(headIds, tailIds));
    float[] expected = new float[384];
    double n = 0;
    for (int d = 0; d < 384; d++) {
      expected[d] = windows[0][d] + windows[1][d];
      n += (double) expected[d] * expected[d];
    }
    float[] actual = headTail.embed(text);
    for (int d = 0; d < 384; d++) {
      assertThat(actual[d]).isCloseTo((float) (expected[d] / Math.sqrt(n)), within(1e-5f));
    }
  }

  @Test
  void shortTextIsTheSameUnderEveryStrategyOfOneWindowSize() {
    OnnxSentenceEmbedder chunk =
        new OnnxSentenceEmbedder(OnnxModel.ALL_MINILM_L6_V2, LongTextStrategy.CHUNK_MEAN, 256, 1);
    try (chunk) {
      float[] a = chunk.embed("Is this the same?");
      float[] b = headTail.embed("Is this the same?");
      for (int d = 0; d < 384; d++) {
        assertThat(a[d]).isCloseTo(b[d], within(1e-6f));
      }
      // CHUNK_MEAN of a long prompt is unit length and differs from HEAD_TAIL.
      String text = longPrompt("And finally, the question.").repeat(3);
      float[] c = chunk.embed(text);
      assertThat(norm(c)).isCloseTo(1.0, within(1e-5));
      assertThat(cosine(c, headTail.embed(text))).isLessThan(0.9999);
    }
  }

  @Test
  void concurrentCallersGetTheSameVectors() throws Exception {
    List<String> texts = List.of("alpha beta", "gamma delta epsilon", "zeta");
    float[][] expected = headTail.embed(texts);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<float[][]>> futures = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        futures.add(pool.submit(() -> headTail.embed(texts)));
      }
      for (Future<float[][]> f : futures) {
        float[][] got = f.get();
        for (int i = 0; i < texts.size(); i++) {
          for (int d = 0; d < 384; d++) {
            assertThat(got[i][d]).isCloseTo(expected[i][d], within(1e-5f));
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void quantizedModelIsCloseToTheFullOne() {
    try (OnnxSentenceEmbedder q =
        new OnnxSentenceEmbedder(OnnxModel.ALL_MINILM_L6_V2_Q, LongTextStrategy.HEAD, 128, 1)) {
      assertThat(q.id()).isEqualTo("all-minilm-l6-v2-q/head-128");
      float[] full = head128.embed("What is the capital of France?");
      float[] quant = q.embed("What is the capital of France?");
      assertThat(cosine(full, quant)).isGreaterThan(0.9);
    }
  }

  @Test
  void rejectsBadWindowAndUseAfterClose() {
    assertThatThrownBy(() ->
            new OnnxSentenceEmbedder(OnnxModel.ALL_MINILM_L6_V2, LongTextStrategy.HEAD, 1024, 1))
        .isInstanceOf(CarrotException.class)
        .hasMessageContaining("window: 1024")
        .hasMessageContaining("3..512");
    OnnxSentenceEmbedder e =
        new OnnxSentenceEmbedder(OnnxModel.ALL_MINILM_L6_V2_Q, LongTextStrategy.HEAD, 64, 1);
    e.close();
    assertThatThrownBy(() -> e.embed("x"))
        .isInstanceOf(CarrotException.class)
        .hasMessageContaining("after close");
  }

  @Test
  void rejectsABadDynamicBlockBaseAndAcceptsZero() {
    String key = "carrot.onnx.dynamic_block_base";
    String before = System.getProperty(key);
    try {
      System.setProperty(key, "-1");
      assertThatThrownBy(() ->
              new OnnxSentenceEmbedder(OnnxModel.ALL_MINILM_L6_V2_Q, LongTextStrategy.HEAD, 64, 1))
          .isInstanceOf(CarrotException.class)
          .hasMessage("carrot.onnx.dynamic_block_base: '-1'; expected a whole number >= 0 (0 = static blocks)");
      System.setProperty(key, "four");
      assertThatThrownBy(() ->
              new OnnxSentenceEmbedder(OnnxModel.ALL_MINILM_L6_V2_Q, LongTextStrategy.HEAD, 64, 1))
          .hasMessageContaining("'four'");
      // static blocks (the setting before the default changed) give the same vector as the default
      System.setProperty(key, "0");
      float[] staticBlocks;
      try (OnnxSentenceEmbedder e =
          new OnnxSentenceEmbedder(OnnxModel.ALL_MINILM_L6_V2, LongTextStrategy.HEAD_TAIL, 256, 2)) {
        staticBlocks = e.embed("How do I sort a list in Python?");
      }
      float[] dynamic = headTail.embed("How do I sort a list in Python?");
      assertThat(cosine(staticBlocks, dynamic)).isCloseTo(1.0, within(1e-6));
    } finally {
      if (before == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, before);
      }
    }
  }
}
