package io.carrot.embed;

import static io.carrot.embed.OnnxSentenceEmbedderTest.cosine;
import static io.carrot.embed.OnnxSentenceEmbedderTest.norm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.carrot.core.CarrotException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** BGE-small-en-v1.5 and e5-small-v2, float32 and int8: pooling, prefix and a semantic check. */
class SmallEncodersTest {

  private static final String Q = "How many eggs does Janet sell at the market each day?";
  private static final String PARAPHRASE = "Each day, how many of her eggs does Janet sell at the market?";
  private static final String UNRELATED = "Write a haiku about autumn leaves falling in the wind.";

  @ParameterizedTest
  @EnumSource(value = OnnxModel.class, names = {"BGE_SMALL_EN_V15", "BGE_SMALL_EN_V15_Q", "E5_SMALL_V2", "E5_SMALL_V2_Q"})
  void unitVectorsThatPutAParaphraseNearerThanAnUnrelatedPrompt(OnnxModel model) {
    try (OnnxSentenceEmbedder e = new OnnxSentenceEmbedder(model, LongTextStrategy.HEAD_TAIL, 256, 1)) {
      assertThat(e.id()).isEqualTo(model.id() + "/head-tail-256");
      assertThat(e.dimension()).isEqualTo(384);
      float[][] v = e.embed(List.of(Q, PARAPHRASE, UNRELATED));
      for (float[] x : v) {
        assertThat(norm(x)).isCloseTo(1.0, within(1e-5));
      }
      assertThat(cosine(v[0], v[1])).isGreaterThan(cosine(v[0], v[2]) + 0.1);
    }
  }

  @ParameterizedTest
  @EnumSource(value = OnnxModel.class, names = {"ALL_MINILM_L6_V2_Q", "BGE_SMALL_EN_V15_Q", "E5_SMALL_V2_Q"})
  void anInt8ModelGivesATextTheSameVectorWhateverElseIsInTheCall(OnnxModel model) {
    // dynamic int8 quantization scales activations over a whole run: batched with a long text, a short
    // one came out with cosine 0.992 to itself alone; one window per run keeps the Embedder contract
    try (OnnxSentenceEmbedder e = new OnnxSentenceEmbedder(model, LongTextStrategy.HEAD_TAIL, 256, 1)) {
      float[] alone = e.embed(Q);
      float[] batched = e.embed(List.of(UNRELATED.repeat(12), Q, "x"))[1];
      assertThat(batched).containsExactly(alone);
    }
  }

  @Test
  void e5PrefixesEveryTextWithQuery() {
    try (OnnxSentenceEmbedder e = new OnnxSentenceEmbedder(OnnxModel.E5_SMALL_V2_Q, LongTextStrategy.HEAD, 128, 1)) {
      WordPieceTokenizer tok = e.tokenizer();
      // embedWindows adds nothing: the window "query: <text>" is what embed() must have run
      float[] prefixed = e.embedWindows(List.of(tok.wordPieceIds("query: " + Q)))[0];
      float[] bare = e.embedWindows(List.of(tok.wordPieceIds(Q)))[0];
      float[] got = e.embed(Q);
      assertThat(cosine(got, prefixed)).isCloseTo(1.0, within(1e-6));
      assertThat(cosine(got, bare)).isLessThan(0.999);
    }
  }

  @Test
  void bgeHasNoPrefixAndTheWindowCountsThePrefix() {
    try (OnnxSentenceEmbedder e = new OnnxSentenceEmbedder(OnnxModel.BGE_SMALL_EN_V15_Q, LongTextStrategy.HEAD, 128, 1)) {
      float[] bare = e.embedWindows(List.of(e.tokenizer().wordPieceIds(Q)))[0];
      assertThat(cosine(e.embed(Q), bare)).isCloseTo(1.0, within(1e-6));
    }
    // e5's "query: " is 2 wordpieces (query, :): with [CLS] and [SEP] a window of 4 leaves no room for text
    assertThatThrownBy(() -> new OnnxSentenceEmbedder(OnnxModel.E5_SMALL_V2_Q, LongTextStrategy.HEAD, 4, 1))
        .isInstanceOf(CarrotException.class)
        .hasMessageContaining("window: 4")
        .hasMessageContaining("query: ");
  }
}
