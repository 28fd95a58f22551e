package io.carrot.collect.grade;

import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The LLM judge's rubric: the judge grades an answer 0-10 (as SPROUT's judge did) and the grade is
 * scaled to [0, 1] by dividing by 10.
 *
 * <p>The judge must end with {@code Rating: [[N]]} (N an integer or decimal in 0..10, the
 * MT-Bench convention, easy to find in free text). Output without a valid rating is malformed: the
 * caller retries the judge and after the last attempt records the grade as missing, never a guess.
 * The full prompt ({@link #TEMPLATE}) is written into every collected dataset's README.
 */
public final class JudgeRubric {
  /** Version of the template, recorded with each grade so grades from different rubrics never mix. */
  public static final String VERSION = "carrot-judge-v1";

  /** The judge prompt; {@code {reference_block}} is empty when the prompt has no reference answer. */
  public static final String TEMPLATE =
      """
      You are a strict, fair grader. Grade the assistant's answer to the user's request below.

      [Request]
      {prompt}
      [End of request]
      {reference_block}
      [Answer]
      {answer}
      [End of answer]

      Grade on a scale of 0 to 10:
      10: fully correct and complete, clearly answers the request; nothing wrong.
      7-9: correct, with small omissions or minor flaws that do not change the result.
      4-6: partly correct or incomplete, or correct result with a real error in the reasoning.
      1-3: mostly wrong or unhelpful, with only a small correct or useful part.
      0: wrong, empty, off-topic, or refuses a harmless request.
      Judge correctness first, then completeness, then clarity. Do not reward length or style.
      If a reference answer is given, an answer that contradicts it is wrong.

      Write at most two sentences of justification, then the grade on its own last line, exactly
      in this form: Rating: [[N]]
      """;

  private static final String REFERENCE_BLOCK =
      """
      [Reference answer]
      {reference}
      [End of reference answer]
      """;

  private static final Pattern SLOT = Pattern.compile("\\{(prompt|answer|reference_block)\\}");
  private static final Pattern RATING = Pattern.compile("Rating:\\s*\\[\\[\\s*(\\d+(?:\\.\\d+)?)\\s*\\]\\]");

  private JudgeRubric() {}

  /** The judge prompt for one answer; {@code reference} may be null. */
  public static String render(String prompt, String reference, String answer) {
    String ref = reference == null || reference.isBlank() ? "" : REFERENCE_BLOCK.replace("{reference}", reference);
    // One pass over the template only: prompts and answers may themselves contain "{answer}".
    Matcher m = SLOT.matcher(TEMPLATE);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = switch (m.group(1)) {
        case "prompt" -> prompt;
        case "answer" -> answer;
        default -> ref;
      };
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * The grade in [0, 1] from the judge's output: the last {@code Rating: [[N]]} divided by 10;
   * empty when there is none or N is outside 0..10.
   */
  public static OptionalDouble parse(String judgeOutput) {
    if (judgeOutput == null) {
      return OptionalDouble.empty();
    }
    String last = null;
    for (Matcher m = RATING.matcher(judgeOutput); m.find(); ) {
      last = m.group(1);
    }
    if (last == null) {
      return OptionalDouble.empty();
    }
    double n = Double.parseDouble(last);
    return n >= 0 && n <= 10 ? OptionalDouble.of(n / 10.0) : OptionalDouble.empty();
  }
}
