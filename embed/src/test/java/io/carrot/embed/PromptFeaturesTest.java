package io.carrot.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carrot.core.cost.TokenCounter;
import io.carrot.core.linalg.VectorMath;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PromptFeaturesTest {

  /** A counter with a fixed answer, so the token feature is known by hand. */
  private static TokenCounter counting(int tokens) {
    return new TokenCounter() {
      @Override
      public String id() {
        return "fixed";
      }

      @Override
      public int count(String text) {
        return tokens;
      }
    };
  }

  @Test
  void aQuestionWithDigitsAndASymbol() {
    // "What is 2+2?": 10 visible characters, 2 digits, 1 symbol (+), one line, a '?', and 7 cl100k
    // tokens ("What", " is", " ", "2", "+", "2", "?").
    double[] x = new PromptFeatures().features("What is 2+2?");
    assertThat(x).containsExactly(
        new double[] {3.0 / 14, 1.0 / 10, Math.sqrt(0.2), Math.sqrt(0.1), 0, 1, 0}, within(1e-12));
  }

  @Test
  void codeLinesAndSymbols() {
    // Three non-blank lines, all code-like ('{' ending, indented, '}' ending); 19 visible characters,
    // 1 digit, 5 symbols ( ) { ; }.
    double[] x = new PromptFeatures(counting(1023)).features("int main() {\n  return 0;\n\n}\n");
    assertThat(x).containsExactly(
        new double[] {10.0 / 14, 2.0 / 10, Math.sqrt(1.0 / 19), Math.sqrt(5.0 / 19), 1, 0, 0}, within(1e-12));
  }

  @Test
  void nonAsciiProseAndClampedLength() {
    // 20 visible characters (G r ü ß e , W e l t ? and "plainline"), 2 non-ASCII; "," is no symbol;
    // two non-blank lines, neither code-like; the token count is clamped.
    double[] x = new PromptFeatures(counting(1_000_000)).features("Grüße, Welt?\r\nplain line");
    assertThat(x).containsExactly(
        new double[] {1, Math.log(3) / Math.log(2) / 10, 0, 0, 0, 1, Math.sqrt(2.0 / 20)}, within(1e-12));
  }

  @Test
  void blankTextGetsTheZeroVectorAndEverythingElseUnitLength() {
    PromptFeatures f = new PromptFeatures(counting(5));
    assertThat(f.features(" \n\t")).isNull();
    assertThat(f.features("")).isNull();
    float[][] v = f.embed(List.of("", " \n", "x"));
    assertThat(v[0]).containsOnly(0f).hasSize(14);
    assertThat(v[1]).containsOnly(0f);
    assertThat(VectorMath.squaredNorm(v[2])).isCloseTo(1, within(1e-6));
    assertThat(f.dimension()).isEqualTo(14);
    assertThat(f.id()).isEqualTo("features-v1");
  }

  @Test
  void theCosineIsTheMeanAgreementOfTheFeatures() {
    Random r = new Random(15);
    for (int t = 0; t < 200; t++) {
      double[] x = new double[PromptFeatures.FEATURES];
      double[] y = new double[PromptFeatures.FEATURES];
      double expected = 0;
      for (int f = 0; f < x.length; f++) {
        x[f] = r.nextDouble();
        y[f] = r.nextInt(4) == 0 ? x[f] : r.nextDouble();
        expected += Math.cos(Math.PI / 2 * (x[f] - y[f])) / x.length;
      }
      float[] a = PromptFeatures.vector(x);
      float[] b = PromptFeatures.vector(y);
      assertThat(VectorMath.squaredNorm(a)).isCloseTo(1, within(1e-6));
      assertThat((double) VectorMath.dot(a, b)).isCloseTo(expected, within(1e-6));
    }
    double[] zero = new double[PromptFeatures.FEATURES];
    double[] one = new double[PromptFeatures.FEATURES];
    java.util.Arrays.fill(one, 1);
    assertThat((double) VectorMath.dot(PromptFeatures.vector(zero), PromptFeatures.vector(one))).isCloseTo(0, within(1e-6));
  }
}
