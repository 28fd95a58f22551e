package io.carrot.collect.grade;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JudgeRubricTest {
  @Test
  void parsesTheLastRatingAndScalesItToTheUnitInterval() {
    assertThat(JudgeRubric.parse("Good.\nRating: [[7]]").getAsDouble()).isEqualTo(0.7);
    assertThat(JudgeRubric.parse("Rating: [[10]]").getAsDouble()).isEqualTo(1.0);
    assertThat(JudgeRubric.parse("Rating: [[0]]").getAsDouble()).isEqualTo(0.0);
    assertThat(JudgeRubric.parse("Rating: [[ 8.5 ]]").getAsDouble()).isEqualTo(0.85);
    assertThat(JudgeRubric.parse("The example says Rating: [[2]] but mine is Rating: [[9]]").getAsDouble()).isEqualTo(0.9);
  }

  @Test
  void malformedOutputHasNoGrade() {
    assertThat(JudgeRubric.parse("I would give it an 8.")).isEmpty();
    assertThat(JudgeRubric.parse("Rating: eight")).isEmpty();
    assertThat(JudgeRubric.parse("Rating: [[11]]")).isEmpty();
    assertThat(JudgeRubric.parse("Rating: [[-1]]")).isEmpty();
    assertThat(JudgeRubric.parse("")).isEmpty();
    assertThat(JudgeRubric.parse(null)).isEmpty();
  }

  @Test
  void rendersPromptReferenceAndAnswerOnceEach() {
    String r = JudgeRubric.render("What is {answer}?", "42", "It is {prompt}.");
    assertThat(r).contains("[Request]\nWhat is {answer}?\n[End of request]")
        .contains("[Reference answer]\n42\n[End of reference answer]")
        .contains("[Answer]\nIt is {prompt}.\n[End of answer]")
        .endsWith("Rating: [[N]]\n");
    assertThat(JudgeRubric.render("q", null, "a")).doesNotContain("[Reference answer]");
  }
}
