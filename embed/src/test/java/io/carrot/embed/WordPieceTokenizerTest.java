package io.carrot.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.core.CarrotException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Golden ids were produced by Hugging Face's tokenizers.js on the same tokenizer.json (with added
 * tokens disabled) and checked by hand against the vocabulary; cases where the reference
 * implementations disagree are pinned to the Rust (fast tokenizer) behaviour and say why.
 */
class WordPieceTokenizerTest {

  private static final WordPieceTokenizer TOK =
      WordPieceTokenizer.fromClasspath(WordPieceTokenizer.MINILM_RESOURCE);

  @Test
  void specialTokensAndVocabSize() {
    assertThat(TOK.clsId()).isEqualTo(101);
    assertThat(TOK.sepId()).isEqualTo(102);
    assertThat(TOK.padId()).isEqualTo(0);
    assertThat(TOK.unkId()).isEqualTo(100);
    assertThat(TOK.vocabSize()).isEqualTo(30522);
    assertThat(TOK.id("hello")).isEqualTo(7592);
    assertThat(TOK.id("##ization")).isEqualTo(3989);
    assertThat(TOK.id("no-such-token")).isEqualTo(-1);
  }

  @Test
  void helloWorld() {
    assertThat(TOK.encode("hello world")).containsExactly(101, 7592, 2088, 102);
    assertThat(TOK.wordPieceIds("hello world")).containsExactly(7592, 2088);
    assertThat(TOK.encode("Hello   WORLD")).containsExactly(101, 7592, 2088, 102);
  }

  @Test
  void continuationPieces() {
    assertThat(TOK.wordPieceIds("unaffable")).containsExactly(14477, 20961, 3468);
    assertThat(TOK.tokens(TOK.wordPieceIds("unaffable"))).containsExactly("una", "##ffa", "##ble");
    assertThat(TOK.wordPieceIds("Tokenization")).containsExactly(19204, 3989);
    assertThat(TOK.tokens(TOK.wordPieceIds("electroencephalography")))
        .containsExactly("electro", "##ence", "##pha", "##log", "##raphy");
  }

  @Test
  void accentsAreStrippedAndPunctuationIsolated() {
    assertThat(TOK.encode("Héllo, WORLD! naïve café"))
        .containsExactly(101, 7592, 1010, 2088, 999, 15743, 7668, 102);
    assertThat(TOK.tokens(TOK.wordPieceIds("İstanbul Ångström Øresund")))
        .containsExactly("istanbul", "ang", "##strom", "ø", "##res", "##und");
    // Already-decomposed input gives the same ids as precomposed.
    assertThat(TOK.wordPieceIds("cafe\u0301")).containsExactly(TOK.wordPieceIds("café"));
  }

  @Test
  void asciiSymbolsCountAsPunctuation() {
    assertThat(TOK.wordPieceIds("$100+ <b>x</b> ~a^b`c|d=e"))
        .containsExactly(1002, 2531, 1009, 1026, 1038, 1028, 1060, 1026, 1013, 1038, 1028, 1066,
            1037, 1034, 1038, 1036, 1039, 1064, 1040, 1027, 1041);
    assertThat(TOK.tokens(TOK.wordPieceIds("I don't know...")))
        .containsExactly("i", "don", "'", "t", "know", ".", ".", ".");
    assertThat(TOK.wordPieceIds("e.g. self-driving"))
        .containsExactly(1041, 1012, 1043, 1012, 2969, 1011, 4439);
    assertThat(TOK.tokens(TOK.wordPieceIds("“quotes” «guillemets» …")))
        .containsExactly("“", "quotes", "”", "«", "gui", "##lle", "##met", "##s", "»", "…");
  }

  @Test
  void cjkCharactersAreSeparateWords() {
    assertThat(TOK.wordPieceIds("unaffable 中国人 test"))
        .containsExactly(14477, 20961, 3468, 1746, 1799, 1756, 3231);
    // Kana are not in the CJK ideograph blocks, so they stay one word with ## pieces.
    assertThat(TOK.tokens(TOK.wordPieceIds("日本語のテキスト")))
        .containsExactly("日", "本", "語", "の", "##テ", "##キ", "##ス", "##ト");
    // Extension B ideographs (outside the BMP) are split too, as in the Rust tokenizer.
    assertThat(TOK.wordPieceIds("𠀀𠀁")).containsExactly(100, 100);
  }

  @Test
  void whitespaceAndControlCleaning() {
    assertThat(TOK.wordPieceIds("tab\tnew\nline\r\nend")).containsExactly(21628, 2047, 2240, 2203);
    // Zero-width space and soft hyphen are format characters: removed, not separators.
    // No-break and ideographic spaces are whitespace: separators.
    assertThat(TOK.tokens(TOK.wordPieceIds("zero\u200bwidth\u00adsoft nbsp\u00a0here\u3000ideo")))
        .containsExactly("zero", "##wi", "##dt", "##hs", "##oft", "n", "##bs", "##p", "here", "id", "##eo");
    assertThat(TOK.wordPieceIds("hel\u0000lo\u0007 wor\ufffdld")).containsExactly(7592, 2088);
    assertThat(TOK.wordPieceIds("")).isEmpty();
    assertThat(TOK.wordPieceIds(" \t\n ")).isEmpty();
    assertThat(TOK.encode("")).containsExactly(101, 102);
  }

  @Test
  void unknownWords() {
    // Fullwidth letters have no NFD decomposition and no vocab entry: the whole word is [UNK].
    assertThat(TOK.tokens(TOK.wordPieceIds("fullwidth ＡＢＣ！")))
        .containsExactly("full", "##wi", "##dt", "##h", "[UNK]", "！");
    String longWord = "a".repeat(101);
    assertThat(TOK.wordPieceIds(longWord + " ok")).containsExactly(100, 7929);
    assertThat(TOK.wordPieceIds("a".repeat(100))).doesNotContain(100);
  }

  @Test
  void specialTokenTextIsPlainText() {
    assertThat(TOK.tokens(TOK.wordPieceIds("[CLS] [SEP]")))
        .containsExactly("[", "cl", "##s", "]", "[", "sep", "]");
  }

  @Test
  void greekFinalSigmaLowercasesPerCharacter() {
    // The Rust normalizer lowercases char by char, so a word-final Σ becomes σ, not ς.
    assertThat(TOK.tokens(TOK.wordPieceIds("ΟΣ"))).containsExactly("ο", "##σ");
  }

  @Test
  void noTruncation() {
    String text = "hello world ".repeat(400);
    assertThat(TOK.wordPieceIds(text)).hasSize(800);
  }

  @Test
  void rejectsNonWordPieceTokenizerJson() {
    String json = "{\"model\":{\"type\":\"BPE\",\"vocab\":{}},\"normalizer\":{\"type\":\"BertNormalizer\"},"
        + "\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"}}";
    assertThatThrownBy(() -> WordPieceTokenizer.fromJson(
            new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))))
        .isInstanceOf(CarrotException.class)
        .hasMessageContaining("model.type")
        .hasMessageContaining("WordPiece");
  }

  @Test
  void quantizedModelShipsTheSameVocabulary() {
    WordPieceTokenizer q = WordPieceTokenizer.fromClasspath("all-minilm-l6-v2-q-tokenizer.json");
    String text = "Héllo, WORLD! unaffable 中国人";
    assertThat(q.encode(text)).containsExactly(TOK.encode(text));
  }
}
