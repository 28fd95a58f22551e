package io.carrot.collect.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.core.data.Dataset;
import io.carrot.core.data.PriceTable;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.embed.Cl100kTokenCounter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RouterBench's CSV columns as RouterDC redistributes them, in small files written here. */
class RouterBenchImporterTest {
  @TempDir Path dir;

  private static final String HEADER = "sample_id,prompt,eval_name,gpt-4-1106-preview,claude-v1,"
      + "gpt-4-1106-preview|model_response,claude-v1|model_response,gpt-4-1106-preview|total_cost,claude-v1|total_cost,"
      + "oracle_model_to_route_to\n";

  @Test
  void readsPythonListCellsCountsTokensAndKeepsTheExactCost() throws Exception {
    // A multi-line quoted cell, Python escapes (\n, \', \u00e9) and a CSV-escaped double quote.
    Files.writeString(dir.resolve("arc_challenge_train.csv"), HEADER
        + "arc.1,\"['Question: it\\'s \"\"hot\"\"?\\nAnswer:']\",arc-challenge,1.0,0.0,\"['Hello world']\",\"['no\nidea']\",0.00012,0.00034,gpt-4-1106-preview\n"
        + "arc.2,\"['Caf\\u00e9?', 'Second part']\",arc-challenge,0.0,1.0,['A'],['B'],1e-05,2e-05,claude-v1\n"
        + "arc.3,['Q3'],arc-challenge,,1.0,['A'],['B'],1e-05,2e-05,claude-v1\n");
    Files.writeString(dir.resolve("arc_challenge_test.csv"), HEADER
        + "arc.9,['Test prompt'],arc-challenge,1,1,['x'],['y'],0.5,0.25,gpt-4-1106-preview\n");
    Cl100kTokenCounter tokens = new Cl100kTokenCounter();
    ImportResult r = new RouterBenchImporter().read(
        List.of(dir.resolve("arc_challenge_train.csv"), dir.resolve("arc_challenge_test.csv")),
        new ImportOptions("rb", null, null, tokens));
    Dataset d = r.dataset();
    assertThat(d.models()).containsExactly("gpt-4-1106-preview", "claude-v1");
    assertThat(d.prices().price("claude-v1").outputPerMtok()).isEqualTo(24.0);
    assertThat(d.prompts()).extracting(PromptRecord::id).containsExactly("arc.1", "arc.2", "arc.9");
    PromptRecord a1 = d.prompts().get(0);
    assertThat(a1.prompt()).isEqualTo("Question: it's \"hot\"?\nAnswer:");
    assertThat(a1.source()).isEqualTo("arc-challenge");
    assertThat(a1.scores()).containsExactly(1.0, 0.0);
    assertThat(a1.cost()).containsExactly(0.00012, 0.00034);
    assertThat(tokens.count("Hello world")).isEqualTo(2);
    assertThat(a1.outputTokens()[0]).isEqualTo(2);
    assertThat(a1.outputTokens()[1]).isEqualTo(tokens.count("no\nidea"));
    assertThat(a1.inputTokens()).containsExactly(tokens.count(a1.prompt()), tokens.count(a1.prompt()));
    PromptRecord a2 = d.prompts().get(1);
    assertThat(a2.prompt()).isEqualTo("Café?\n\nSecond part");
    assertThat(a2.inputTokens()[0]).isEqualTo(tokens.count("Café?") + tokens.count("Second part"));
    assertThat(d.rows(Split.TEST)).extracting(PromptRecord::id).containsExactly("arc.9");
    assertThat(d.rows(Split.TRAIN).size() + d.rows(Split.VALIDATION).size()).isEqualTo(2);
    assertThat(r.derivation()).anyMatch(s -> s.contains("1 rows (missing correctness for gpt-4-1106-preview)"));
    assertThat(r.provenance()).anyMatch(s -> s.contains("RouterBench price table") && s.contains("for 2 models"));
  }

  @Test
  void aModelOutsideRouterBenchsPriceTableNeedsPrices() throws Exception {
    Files.writeString(dir.resolve("x.csv"), "sample_id,prompt,eval_name,my-model,my-model|model_response,my-model|total_cost\n"
        + "1,hi,t,1,ok,0.1\n");
    ImportOptions none = new ImportOptions("x", null, null, new Cl100kTokenCounter());
    assertThatThrownBy(() -> new RouterBenchImporter().read(List.of(dir.resolve("x.csv")), none))
        .hasMessageContaining("model 'my-model' is not in RouterBench's price table; pass --prices");
    PriceTable p = PriceTable.fromJson(io.carrot.core.files.Json.MAPPER.readTree(
        "{\"my-model\": {\"input_per_mtok\": 1, \"output_per_mtok\": 2}}"), "test");
    Dataset d = new RouterBenchImporter().read(List.of(dir.resolve("x.csv")), new ImportOptions("x", p, null, new Cl100kTokenCounter())).dataset();
    assertThat(d.prompts().get(0).prompt()).isEqualTo("hi");
    assertThat(d.rows(Split.TRAIN).size() + d.rows(Split.VALIDATION).size() + d.rows(Split.TEST).size()).isEqualTo(1);
  }

  @Test
  void aBadCellNamesFileRowAndColumn() throws Exception {
    Files.writeString(dir.resolve("bad.csv"), HEADER + "1,['p'],e,yes,1,['a'],['b'],0.1,0.1,x\n");
    assertThatThrownBy(() -> new RouterBenchImporter().read(List.of(dir.resolve("bad.csv")),
        new ImportOptions("x", null, null, new Cl100kTokenCounter())))
        .hasMessage("bad.csv row 1: gpt-4-1106-preview = 'yes', expected a number");
  }

  @Test
  void aFileCutOffMidRowIsAnErrorNamingFileAndRow() throws Exception {
    String full = HEADER
        + "1,['p1'],e,1,0,['a'],['b'],0.1,0.1,x\n"
        + "2,['p2'],e,0,1,['a'],['b'],0.1,0.1,x\n"
        + "3,\"['a long prompt, with a comma']\",e,1,1,['a'],['b'],0.1,0.1,x\n";
    ImportOptions o = new ImportOptions("x", null, null, new Cl100kTokenCounter());
    // cut after the third row's correctness columns, and inside its quoted prompt
    Files.writeString(dir.resolve("cut.csv"), full.substring(0, full.indexOf(",['a'],['b']", full.indexOf("3,"))));
    assertThatThrownBy(() -> new RouterBenchImporter().read(List.of(dir.resolve("cut.csv")), o))
        .hasMessage(dir.resolve("cut.csv") + " row 3: 5 of the header's 10 columns and then the end of the file:"
            + " the file looks cut off mid-row");
    Files.writeString(dir.resolve("cut-quote.csv"), full.substring(0, full.indexOf("with a comma")));
    assertThatThrownBy(() -> new RouterBenchImporter().read(List.of(dir.resolve("cut-quote.csv")), o))
        .hasMessageStartingWith(dir.resolve("cut-quote.csv") + " row 3: ")
        .hasMessageNotContaining("[Source:");
    // the whole file imports
    Files.writeString(dir.resolve("whole.csv"), full);
    assertThat(new RouterBenchImporter().read(List.of(dir.resolve("whole.csv")), o).dataset().prompts()).hasSize(3);
  }
}
