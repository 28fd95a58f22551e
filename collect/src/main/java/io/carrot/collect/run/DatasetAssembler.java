package io.carrot.collect.run;

import io.carrot.collect.dataset.DatasetReport;
import io.carrot.collect.dataset.Splits;
import io.carrot.collect.grade.ExactMatch;
import io.carrot.collect.grade.JudgeRubric;
import io.carrot.collect.llm.LlmServer;
import io.carrot.core.CarrotException;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.data.PromptRecord;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Turns a collection's checkpoint into a dataset: one record per prompt whose every model has an
 * answer and a grade; scores from exact match or the judge, input and output tokens as the APIs
 * reported them, prices from models.yaml, and the seeded 70/15/15 split.
 *
 * <p>The dataset format needs every model's score for every prompt, so a prompt with a missing
 * grade (the judge's output stayed malformed) or a missing answer is left out and counted in the
 * README; it is never given a made-up score.
 */
public final class DatasetAssembler {
  /**
   * @param dataset the assembled dataset
   * @param readme its README.md
   * @param kept prompts written
   * @param missingGrade prompts left out because a judge grade is missing
   * @param missingAnswer prompts left out because an answer (or its grading) is not done yet
   */
  public record Assembled(Dataset dataset, String readme, int kept, int missingGrade, int missingAnswer) {}

  private DatasetAssembler() {}

  /**
   * @param name dataset name (the output folder's name)
   * @param promptsFile name and SHA-256 of the prompt file, for provenance
   */
  public static Assembled assemble(
      String name,
      String promptsFile,
      List<PromptItem> prompts,
      CollectConfig config,
      CollectedModel judge,
      int judgeAttempts,
      Checkpoint checkpoint) {
    List<CollectedModel> models = config.models();
    List<PromptRecord> rows = new ArrayList<>();
    int missingGrade = 0;
    int missingAnswer = 0;
    Map<String, Integer> graders = new TreeMap<>();
    String systemPrefix = config.systemPrompt() + "\u0000";
    for (PromptItem p : prompts) {
      String psha = Checkpoint.sha(systemPrefix + p.prompt());
      double[] scores = new double[models.size()];
      double[] in = new double[models.size()];
      double[] out = new double[models.size()];
      boolean complete = true;
      boolean gradeMissing = false;
      for (int m = 0; m < models.size() && complete; m++) {
        CollectedModel spec = models.get(m);
        Optional<Checkpoint.Answer> a = checkpoint.answer(p.id(), spec.name(), psha);
        if (a.isEmpty()) {
          complete = false;
          break;
        }
        in[m] = a.get().inputTokens();
        out[m] = a.get().outputTokens();
        if (p.hasReference()) {
          scores[m] = ExactMatch.score(p.reference(), p.kind(), a.get().text());
          continue;
        }
        if (judge == null) {
          throw new CarrotException("prompt '" + p.id() + "' has no reference answer and no judge was given");
        }
        List<Checkpoint.JudgeCall> calls = checkpoint.judgeCalls(
            p.id(), spec.name(), judge.name(), JudgeRubric.VERSION, Checkpoint.sha(a.get().text()));
        Optional<Double> score = calls.stream().map(Checkpoint.JudgeCall::score).flatMap(Optional::stream).findFirst();
        if (score.isPresent()) {
          scores[m] = score.get();
        } else {
          complete = false;
          gradeMissing = calls.size() >= judgeAttempts;
        }
      }
      if (complete) {
        rows.add(new PromptRecord(p.id(), p.prompt(), p.source(), scores, in, out, null));
        graders.merge(p.hasReference() ? "exact match (" + p.kind().name().toLowerCase(Locale.ROOT) + ")" : "judge", 1, Integer::sum);
      } else if (gradeMissing) {
        missingGrade++;
      } else {
        missingAnswer++;
      }
    }
    if (rows.isEmpty()) {
      throw new CarrotException("no prompt is complete yet (every model answered and graded); nothing to write");
    }
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    for (CollectedModel m : models) {
      prices.put(m.name(), m.price());
    }
    List<String> modelNames = models.stream().map(CollectedModel::name).toList();
    Dataset d = new Dataset(name, "", modelNames, new PriceTable(prices), rows, Splits.seeded(rows));
    String readme = readme(d, promptsFile, prompts.size(), config, judge, judgeAttempts, checkpoint, graders, missingGrade, missingAnswer);
    return new Assembled(d, readme, rows.size(), missingGrade, missingAnswer);
  }

  private static String readme(
      Dataset d,
      String promptsFile,
      int promptCount,
      CollectConfig config,
      CollectedModel judge,
      int judgeAttempts,
      Checkpoint checkpoint,
      Map<String, Integer> graders,
      int missingGrade,
      int missingAnswer) {
    List<String> prov = new ArrayList<>();
    prov.add("Prompts: `" + promptsFile + "` (" + promptCount + " prompts).");
    for (CollectedModel m : config.models()) {
      prov.add(modelLine(m, config.upstreams().get(m.upstream())));
    }
    if (judge != null) {
      prov.add("Judge: " + modelLine(judge, config.upstreams().get(judge.upstream()))
          + " Rubric `" + JudgeRubric.VERSION + "` (below), up to " + judgeAttempts + " attempts per answer.");
    }
    prov.add("System prompt: " + (config.systemPrompt().isEmpty() ? "none." : "`" + config.systemPrompt().replace("`", "'") + "`."));
    checkpoint.timeRange().ifPresent(t -> prov.add("Calls made between " + t[0].truncatedTo(ChronoUnit.SECONDS)
        + " and " + t[1].truncatedTo(ChronoUnit.SECONDS) + " (UTC); dataset written " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "."));
    prov.add(String.format(Locale.ROOT, "Spent: $%.4f over %d recorded calls (answers and judge calls, every run; checkpoint `%s`).",
        checkpoint.spent(), checkpoint.records(), checkpoint.file().getFileName()));
    List<String> der = new ArrayList<>();
    StringBuilder g = new StringBuilder("Scores: ");
    graders.forEach((k, v) -> g.append(k).append(": ").append(v).append(" prompts; "));
    der.add(g.toString().replaceAll("; $", ".") + " Exact match gives 0 or 1 against the prompt's reference answer;"
        + " the judge's 0-10 rating is divided by 10.");
    der.add("`input_tokens` / `output_tokens`: `usage.prompt_tokens` / `usage.completion_tokens` as each API reported them"
        + " (each provider's own tokenizer). No `cost` field: true cost = tokens x the `models.json` prices.");
    der.add("Left out: " + missingGrade + " prompts whose judge grade is missing (the judge's output had no valid"
        + " `Rating: [[N]]` after " + judgeAttempts + " attempts; recorded as missing, never guessed) and " + missingAnswer
        + " prompts with an answer or grade not collected yet (failed calls, or a run stopped early). The dataset format"
        + " needs every model's score for every prompt; rerunning the collection retries what is missing.");
    der.add("Split (`split.json`): per source, ids sorted, shuffled with java.util.Random(" + Splits.SEED
        + "), 70% train, 15% validation, the rest test.");
    String summary = "Routing dataset collected by `carrot collect`: every prompt sent to every model through"
        + " OpenAI-compatible APIs, answers graded by exact match or an LLM judge.";
    String body = DatasetReport.readme(d, summary, prov, der);
    if (judge != null) {
      body += "\n## Judge prompt (`" + JudgeRubric.VERSION + "`)\n\n```text\n" + JudgeRubric.TEMPLATE.strip() + "\n```\n";
    }
    return body;
  }

  private static String modelLine(CollectedModel m, LlmServer u) {
    return String.format(Locale.ROOT, "`%s`: API model `%s` at %s, max_tokens %d, temperature %s, $%s / $%s per Mtok in / out (%s).",
        m.name(), m.apiModel(), u.baseUrl(), m.maxTokens(), m.temperature(), m.price().inputPerMtok(), m.price().outputPerMtok(),
        m.price().source());
  }
}
