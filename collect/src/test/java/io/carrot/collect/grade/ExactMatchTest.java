package io.carrot.collect.grade;

import static org.assertj.core.api.Assertions.assertThat;

import io.carrot.collect.grade.ExactMatch.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExactMatchTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
    "42|NUMBER", "-3.5|NUMBER", "1,234|NUMBER", "$12|NUMBER", "B|CHOICE", "(c)|CHOICE", "J.|CHOICE",
    "Paris|TEXT", "K|TEXT", "3 apples|TEXT"})
  void detectsTheKindOfAReference(String ref, Kind kind) {
    assertThat(ExactMatch.detect(ref)).isEqualTo(kind);
  }

  @ParameterizedTest(name = "[{index}] {0} vs {1}: {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
    // numbers: the final answer's last number, commas and units ignored
    "18|Janet sells 16 - 3 - 4 = 9 eggs, 9 * 2 = 18. The answer is 18.|1",
    "18|The answer is $18.00|1",
    "18|First 18, then I re-check: the answer is 19.|0",
    "1234|#### 1,234|1",
    "0.5|\\boxed{0.5}|1",
    "0.5|\\boxed{\\frac{1}{2}} hmm 0.5 earlier|0",
    "7|`{\"reasoning\": \"3+4\", \"answer\": \"7\"}`|1",
    "7|no number here|0",
    "-2|x = -2|1",
    // choices: a lone letter, a lettered option, or the last (X)
    "B|B|1",
    "B|(B) Paris|1",
    "B|The answer is (B).|1",
    "B|Answer: C) London|0",
    "C|A good option would be (C)|1",
    "C|A good option would be C|0",
    "b|The answer is B|1",
    // text: normalized equality of the final answer
    "Paris|The answer is Paris.|1",
    "the Eiffel Tower|Eiffel tower!|1",
    "Paris|Paris, France|0"})
  void scoresAnAnswer(String ref, String answer, double want) {
    assertThat(ExactMatch.score(ref, ExactMatch.detect(ref), answer)).isEqualTo(want);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"The  Quick, brown FOX!|quick brown fox", "An ｆｕｌｌ-width a|full width"})
  void normalizes(String in, String out) {
    assertThat(ExactMatch.normalize(in)).isEqualTo(out);
  }
}
