package io.carrot.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BoilerplateTest {

  private static PromptRecord row(String id, String source, String prompt) {
    return new PromptRecord(id, prompt, source, new double[] {1}, new double[] {10}, new double[] {5}, null);
  }

  @Test
  void linesInMoreThanHalfOfASourcesPromptsAreBoilerplate() {
    List<PromptRecord> rows = List.of(
        row("a1", "A", "## Question:\nWhat is 2+2?\n\nAnswer in JSON."),
        row("a2", "A", "## Question:\n  What is 3+3?  \nAnswer in JSON.  "),
        row("a3", "A", "## Question:\nName a prime.\nAnswer in JSON."),
        row("a4", "A", "What is 2+2?\nshort"),
        row("b1", "B", "Answer in JSON.\nfirst"),
        row("b2", "B", "second"),
        row("c1", null, "only prompt\nof no source"));
    Map<String, Set<String>> lines = Boilerplate.lines(rows);
    // A: "## Question:" and "Answer in JSON." in 3 of 4 prompts; "What is 2+2?" in exactly half (2 of 4) is content
    assertThat(lines.get("A")).containsExactlyInAnyOrder("## Question:", "Answer in JSON.");
    // B: nothing is in more than 1 of its 2 prompts; another source's template is not B's
    assertThat(lines.get("B")).isEmpty();
    // a source of one prompt shares every line with itself: the prompt keeps its text rather than vanish
    assertThat(lines.get("")).containsExactlyInAnyOrder("only prompt", "of no source");
    assertThat(Boilerplate.strip("only prompt\nof no source", lines.get(""))).isEqualTo("only prompt\nof no source");
    // white space around a line does not hide it; what is left is trimmed, inner lines keep their form
    assertThat(Boilerplate.strip("## Question:\n  What is 3+3?  \nAnswer in JSON.  ", lines.get("A"))).isEqualTo("What is 3+3?");
    assertThat(Boilerplate.strip("x\n\n  y\nAnswer in JSON.", lines.get("A"))).isEqualTo("x\n\n  y");
  }

  @Test
  void strippingADatasetKeepsEverythingButTheText() {
    Map<String, ModelPrice> prices = Map.of("m", new ModelPrice(1, 2, "test"));
    List<PromptRecord> rows = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      rows.add(row("p" + i, "S", "Instruction line\nquestion " + i));
    }
    Dataset d = new Dataset("t", "hash", List.of("m"), new PriceTable(prices), rows, Map.of(Split.TRAIN, new int[] {0, 1, 2, 3, 4, 5}));
    Dataset s = Boilerplate.strip(d);
    assertThat(s.prompts()).extracting(PromptRecord::prompt).containsExactly("question 0", "question 1", "question 2", "question 3",
        "question 4", "question 5");
    assertThat(s.prompts()).extracting(PromptRecord::id).containsExactly("p0", "p1", "p2", "p3", "p4", "p5");
    assertThat(s.sha256()).isEqualTo("hash");
    assertThat(s.rows(Split.TRAIN)).hasSize(6);
    assertThat(s.prompts().get(0).scores()).isEqualTo(new double[] {1});
  }

  @Test
  void randomPromptsNeverLoseAllTheirTextAndStrippingIsIdempotent() {
    Random rnd = new Random(7);
    String[] vocabulary = {"alpha", "beta", "gamma", "delta", "", "  ", "alpha", "Answer:"};
    for (int trial = 0; trial < 200; trial++) {
      List<PromptRecord> rows = new ArrayList<>();
      int n = 1 + rnd.nextInt(8);
      for (int i = 0; i < n; i++) {
        StringBuilder sb = new StringBuilder();
        for (int l = rnd.nextInt(5); l >= 0; l--) {
          sb.append(vocabulary[rnd.nextInt(vocabulary.length)]).append(rnd.nextBoolean() ? "\n" : " x" + rnd.nextInt(3) + "\n");
        }
        rows.add(row("r" + i, rnd.nextBoolean() ? "S" : "T", sb.toString()));
      }
      Map<String, Set<String>> lines = Boilerplate.lines(rows);
      for (PromptRecord r : rows) {
        String once = Boilerplate.strip(r.prompt(), lines.getOrDefault(r.source(), Set.of()));
        if (!r.prompt().isBlank()) {
          assertThat(once).as(r.prompt()).isNotBlank();
        }
        assertThat(Boilerplate.strip(once, lines.getOrDefault(r.source(), Set.of()))).isEqualTo(once);
      }
    }
  }
}
