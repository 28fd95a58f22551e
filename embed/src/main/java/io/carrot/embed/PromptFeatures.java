package io.carrot.embed;

import io.carrot.core.cost.TokenCounter;
import io.carrot.core.embed.Embedder;
import java.util.List;
import java.util.Objects;

/**
 * A small vector of cheap surface features of a prompt (how long, how many lines, how much of it is
 * digits, code or non-ASCII text, whether it asks a question), meant as an extra part of a
 * {@link ConcatEmbedder} ({@code concat:minilm+features}), where it carries what a sentence
 * embedder's window hides: a 3,000-token prompt and a 30-token one can look alike to MiniLM.
 *
 * <p>Every feature is mapped to {@code x} in [0, 1] by fixed constants (never fitted on a dataset,
 * so the vector of a prompt does not depend on the data a router was trained on):
 * <ol>
 *   <li>tokens: {@code log2(1 + cl100k tokens) / 14}, clamped to 1 (16,383 tokens and more);</li>
 *   <li>lines: {@code log2(1 + non-blank lines) / 10}, clamped to 1 (1,023 lines and more);</li>
 *   <li>digits: {@code sqrt} of the share of digits among non-whitespace characters;</li>
 *   <li>symbols: {@code sqrt} of the share of {@link #SYMBOLS} (code and math markup) among
 *       non-whitespace characters;</li>
 *   <li>code lines: the share of non-blank lines that are indented (a tab or two spaces), end with
 *       {@code ;}, <code>{</code> or <code>}</code>, or open a fence (<code>```</code>);</li>
 *   <li>question: 1 when the prompt contains {@code ?}, else 0;</li>
 *   <li>non-ASCII: {@code sqrt} of the share of non-ASCII characters among non-whitespace ones.</li>
 * </ol>
 * The square roots spread the small shares typical of prose apart. Each {@code x} becomes the pair
 * {@code (cos(pi x / 2), sin(pi x / 2)) / sqrt(7)}: the vector is unit length, and the cosine of two
 * prompts' vectors is the mean over features of {@code cos(pi (x - y) / 2)}, which is 1 when they
 * agree and falls to 0 as they move to opposite ends of a feature's range. So the cosine (what KNN
 * and the support figure use) measures how close the features are, not the direction of a
 * vector of raw values. A prompt with no non-whitespace character gets the zero vector.
 *
 * <p>The id, {@value #ID}, names this exact recipe and {@link #CONCAT_WEIGHT}; any change to a
 * feature, a constant or the weight must get a new id, since routers and the embedding cache key
 * on it. Thread-safe.
 */
public final class PromptFeatures implements Embedder {

  /** The id of this recipe. */
  public static final String ID = "features-v1";
  /** The name users type. */
  public static final String NAME = "features";
  /** Characters counted as code or math markup. */
  public static final String SYMBOLS = "{}[]()<>=;_#$\\|`~^*&%/+";
  /** Number of features; the vector has twice as many components. */
  public static final int FEATURES = 7;
  /**
   * This part's weight in a {@link ConcatEmbedder}, where every embedder part weighs 1: in
   * {@code concat:minilm+features} the features make 0.25 / 1.25 = 20% of a pair's cosine, so full
   * disagreement on every feature lowers it by at most 0.2 and the sentence embedder still decides
   * which prompts are neighbours; the features mostly reorder neighbours of similar content.
   */
  public static final double CONCAT_WEIGHT = 0.25;

  private static final double TOKEN_BITS = 14;
  private static final double LINE_BITS = 10;

  private final TokenCounter tokens;

  /** Counts tokens with cl100k_base. */
  public PromptFeatures() {
    this(new Cl100kTokenCounter());
  }

  PromptFeatures(TokenCounter tokens) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public int dimension() {
    return 2 * FEATURES;
  }

  @Override
  public float[][] embed(List<String> texts) {
    return Texts.each(texts, text -> vector(features(text)));
  }

  /**
   * The {@link #FEATURES} values of {@code text}, each in [0, 1], in the order of the class
   * comment; null for a text with no non-whitespace character.
   */
  public double[] features(String text) {
    int visible = 0;
    int digits = 0;
    int symbols = 0;
    int nonAscii = 0;
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      i += Character.charCount(c);
      if (Character.isWhitespace(c)) {
        continue;
      }
      visible++;
      if (c >= '0' && c <= '9') {
        digits++;
      } else if (c < 128 && SYMBOLS.indexOf(c) >= 0) {
        symbols++;
      } else if (c >= 128) {
        nonAscii++;
      }
    }
    if (visible == 0) {
      return null;
    }
    int lines = 0;
    int codeLines = 0;
    for (String line : text.split("\n", -1)) {
      String s = line.strip();
      if (s.isEmpty()) {
        continue;
      }
      lines++;
      if (isCodeLine(line, s)) {
        codeLines++;
      }
    }
    return new double[] {
        Math.min(1, log2(1 + tokens.count(text)) / TOKEN_BITS),
        Math.min(1, log2(1 + lines) / LINE_BITS),
        Math.sqrt((double) digits / visible),
        Math.sqrt((double) symbols / visible),
        (double) codeLines / lines,
        text.indexOf('?') >= 0 ? 1 : 0,
        Math.sqrt((double) nonAscii / visible)};
  }

  private static boolean isCodeLine(String line, String stripped) {
    char last = stripped.charAt(stripped.length() - 1);
    return line.startsWith("\t") || line.startsWith("  ") || stripped.startsWith("```")
        || last == ';' || last == '{' || last == '}';
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  /** The unit vector of feature values (see the class comment); zeros for null. */
  static float[] vector(double[] x) {
    float[] v = new float[2 * FEATURES];
    if (x == null) {
      return v;
    }
    double scale = 1 / Math.sqrt(FEATURES);
    for (int f = 0; f < FEATURES; f++) {
      double angle = Math.PI / 2 * x[f];
      v[2 * f] = (float) (Math.cos(angle) * scale);
      v[2 * f + 1] = (float) (Math.sin(angle) * scale);
    }
    return v;
  }

  @Override
  public String toString() {
    return "PromptFeatures[" + ID + "]";
  }
}
