package io.carrot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.carrot.core.files.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * The shipped router with the real embedder: a prompt unlike its math and code training data is
 * flagged low support and routed like the prompt-blind router; a math word problem is not, written
 * plainly as a user would or in the benchmark's template; the help says what it covers, read from
 * the router file.
 *
 * <p>It is trained with {@code --strip-boilerplate}: ZeroEval's answer template, shared by every
 * training prompt, is removed before embedding, so its vectors are those of the questions and a bare
 * question is as close to them as they are to each other.
 */
class ShippedRouterSupportTest {
  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void aHaikuRequestIsLowSupportAndAMathWordProblemIsNotWithOrWithoutTheTemplate() throws Exception {
    String haiku = "Write a haiku about autumn";
    String question = "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May."
        + " How many clips did Natalia sell altogether in April and May?";
    String math = "\n## Question: \n\n" + question + "\n\n\n## Instruction \n\n"
        + "Please answer this question by first reasoning and then providing your answer.\n"
        + "Present your reasoning and solution in the following json format. \n"
        + "Please show your final answer in the `answer` field, e.g.,`\"answer\": \"42\"`.\n\n"
        + "```json\n{\n    \"reasoning\": \"___\",\n    \"answer\": \"___\"\n}\n```\n";
    String story = "Tell me a bedtime story about a dragon";
    Run r = run("route", "--json", haiku, math, question, story);
    assertThat(r.code()).as(r.err()).isZero();
    String[] lines = r.out().strip().split("\n");
    JsonNode h = Json.MAPPER.readTree(lines[0]);
    JsonNode m = Json.MAPPER.readTree(lines[1]);
    assertThat(h.path("low_support").asBoolean()).isTrue();
    assertThat(h.path("support_weight").asDouble()).isZero();
    assertThat(m.path("low_support").isBoolean()).isTrue();
    assertThat(m.path("low_support").asBoolean()).isFalse();
    assertThat(m.path("support").asDouble()).isGreaterThan(h.path("support").asDouble());
    assertThat(h.path("notes").toString()).contains("low support");
    // the bare question, as a user writes it: mostly its own prediction (the learned weight is 0.77 at its similarity,
    // where the training prompts' neighbours still carry most of their signal), and closer to the questions the router
    // learnt from than the templated one (the template is not in its training vectors)
    JsonNode bare = Json.MAPPER.readTree(lines[2]);
    assertThat(bare.path("low_support").asBoolean()).isFalse();
    assertThat(bare.path("support_weight").asDouble()).isGreaterThan(0.5);
    assertThat(bare.path("support_similarity").asDouble()).isGreaterThan(m.path("support_similarity").asDouble());

    // low support routes like the prompt-blind router: the same choice for any unfamiliar prompt at mu = 0,
    // and the model best on the training data has the highest predicted quality
    JsonNode other = Json.MAPPER.readTree(lines[3]);
    assertThat(other.path("low_support").asBoolean()).isTrue();
    assertThat(other.path("model").asText()).isEqualTo(h.path("model").asText());
    // at weight 0 the predictions are the priors: gpt-4o's mean quality on the 1988 training prompts
    assertThat(h.path("model").asText()).isEqualTo("gpt-4o-2024-08-06");
    assertThat(h.path("candidates").get(0).path("quality").asDouble()).isCloseTo(1650.0 / 1988, within(1e-9));
    assertThat(other.path("candidates").get(0).path("quality").asDouble()).isCloseTo(1650.0 / 1988, within(1e-9));

    // and at every mu, priced at the training prompts' mean length: a 6-token haiku request and a 680-token story
    // request get the same candidates, costs included
    String longStory = String.join(" ", java.util.Collections.nCopies(40,
        "Tell me a long bedtime story about a dragon who guards a castle in the mountains."));
    Run priced = run("route", "--json", "--mu", "0.3", haiku, longStory);
    assertThat(priced.code()).as(priced.err()).isZero();
    String[] two = priced.out().strip().split("\n");
    JsonNode shortOne = Json.MAPPER.readTree(two[0]);
    JsonNode longOne = Json.MAPPER.readTree(two[1]);
    assertThat(longOne.path("input_tokens").asDouble()).isGreaterThan(100 * shortOne.path("input_tokens").asDouble());
    assertThat(longOne.path("support_weight").asDouble()).isZero();
    assertThat(longOne.path("candidates")).isEqualTo(shortOne.path("candidates"));

    Run plain = run("route", haiku);
    assertThat(plain.code()).isZero();
    assertThat(plain.err()).contains("note: low support");
  }

  @Test
  void helpSaysWhatTheShippedRouterCovers() {
    Run help = run("route", "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out())
        .contains("The shipped router (dataset zeroeval")
        .contains("gsm8k")
        .contains("gpt-4o-2024-08-06")
        .contains("@pydantic/genai-prices 0.1.8");
  }
}
