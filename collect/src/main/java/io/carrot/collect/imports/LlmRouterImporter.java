package io.carrot.collect.imports;

import com.fasterxml.jackson.databind.JsonNode;
import io.carrot.collect.dataset.FileHashes;
import io.carrot.core.CarrotException;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.core.files.JsonLines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * LLMRouter's routing data (ulab-uiuc/LLMRouter, {@code default_routing_train_data.jsonl} /
 * {@code ..._test_data.jsonl}): JSON Lines with one row per (query, model): {@code task_name},
 * {@code query}, {@code ground_truth}, {@code metric}, {@code model_name}, {@code performance} (in
 * [0, 1]), {@code input_tokens}, {@code output_tokens}, optionally {@code response} and {@code
 * embedding_id}.
 *
 * <p>Rows are grouped per query (LLMRouter's key: task_name, query, ground_truth, metric); a query
 * needs a row for every model, else it is dropped and counted. {@code id} is {@code
 * e<embedding_id>} when the rows carry one, else {@code <task_name>#<n>}. When a row lacks token
 * counts they are counted with cl100k_base from {@code query} and {@code response}. Prices come from
 * {@code --prices}: LLMRouter's LLM file ({@code input_price}, {@code output_price} per model) or a
 * carrot models.json. The split comes from the file names (train / test).
 */
public final class LlmRouterImporter implements Importer {
  @Override
  public String name() {
    return "llmrouter";
  }

  @Override
  public String accepts() {
    return "LLMRouter JSONL: one row per (query, model) with task_name, query, model_name, performance, input_tokens, output_tokens; needs --prices";
  }

  private record Query(String id, String prompt, String source, Split split, Map<String, double[]> perModel) {}

  @Override
  public ImportResult read(List<Path> inputs, ImportOptions options) {
    if (inputs.isEmpty()) {
      throw new CarrotException("--in: give at least one LLMRouter routing .jsonl file");
    }
    if (options.prices() == null) {
      throw new CarrotException("LLMRouter routing files carry no prices; pass --prices with LLMRouter's LLM file"
          + " (default_llm.json: input_price, output_price) or a carrot models.json");
    }
    Map<List<String>, Query> queries = new LinkedHashMap<>();
    Set<String> models = new LinkedHashSet<>();
    Map<String, Integer> perTask = new LinkedHashMap<>();
    int[] conflicts = {0};
    int[] duplicates = {0};
    int[] tokenCounted = {0};
    List<String> files = new ArrayList<>();
    for (Path f : inputs) {
      Split hint = FileNames.split(f).orElse(null);
      int[] rows = {0};
      try {
        JsonLines.forEachObject(Files.newInputStream(f), f.getFileName().toString(), "a JSON object per line", (o, lineNo, where) -> {
          rows[0]++;
          String task = text(o, "task_name", where);
          String query = text(o, "query", where);
          String model = text(o, "model_name", where);
          JsonNode perf = o.get("performance");
          if (perf == null || !perf.isNumber()) {
            throw new CarrotException(where + ": 'performance' = " + perf + ", expected a number in [0, 1]");
          }
          double score = RowSet.check(perf.asDouble(), "performance", true, where);
          double in;
          double out;
          if (o.path("input_tokens").isNumber() && o.path("output_tokens").isNumber()) {
            in = RowSet.check(o.get("input_tokens").asDouble(), "input_tokens", false, where);
            out = RowSet.check(o.get("output_tokens").asDouble(), "output_tokens", false, where);
          } else if (o.path("response").isTextual()) {
            in = options.tokens().count(query);
            out = options.tokens().count(o.get("response").asText());
            tokenCounted[0]++;
          } else {
            throw new CarrotException(where + ": needs input_tokens and output_tokens (or a response to count)");
          }
          List<String> key = List.of(task, query, o.path("ground_truth").asText(""), o.path("metric").asText(""));
          Query q = queries.get(key);
          if (q == null) {
            String id = o.path("embedding_id").canConvertToLong() ? "e" + o.get("embedding_id").asLong()
                : task + "#" + perTask.merge(task, 1, Integer::sum);
            q = new Query(id, query, task, hint, new LinkedHashMap<>());
            queries.put(key, q);
          } else if (q.split() != hint) {
            conflicts[0]++;
            return;
          }
          models.add(model);
          if (q.perModel().putIfAbsent(model, new double[] {score, in, out}) != null) {
            duplicates[0]++;
          }
        });
      } catch (IOException e) {
        throw new CarrotException("cannot read " + f + ": " + e.getMessage(), e);
      }
      files.add(FileHashes.cite(f) + ", " + rows[0] + " rows");
    }
    RowSet set = new RowSet(new ArrayList<>(models));
    for (Query q : queries.values()) {
      int m = set.models().size();
      double[] s = new double[m];
      double[] in = new double[m];
      double[] out = new double[m];
      boolean complete = true;
      for (int k = 0; k < m; k++) {
        double[] v = q.perModel().get(set.models().get(k));
        if (v == null) {
          set.drop("no row for " + set.models().get(k));
          complete = false;
          break;
        }
        s[k] = v[0];
        in[k] = v[1];
        out[k] = v[2];
      }
      if (complete) {
        set.add(new PromptRecord(q.id(), q.prompt(), q.source(), s, in, out, null), q.split());
      }
    }
    var dataset = set.build(options.name(), options.prices());
    List<String> prov = new ArrayList<>();
    prov.add("Source: LLMRouter (ulab-uiuc/LLMRouter) routing data " + String.join("; ", files) + ".");
    prov.add("Prices: --prices (" + dataset.prices().price(dataset.models().get(0)).source() + ").");
    List<String> der = new ArrayList<>();
    der.add("One prompt per LLMRouter query (task_name, query, ground_truth, metric); `scores`: `performance`;"
        + " `input_tokens` / `output_tokens`: the rows' own counts" + (tokenCounted[0] > 0 ? " (" + tokenCounted[0]
        + " rows without them: " + options.tokens().id() + " counts of query and response)" : "") + ".");
    der.add("`id`: `e<embedding_id>` (else `<task_name>#<n>`); `source`: `task_name`.");
    List<String> drops = new ArrayList<>(set.dropLines());
    if (duplicates[0] > 0) {
      drops.add(duplicates[0] + " repeated (query, model) rows ignored (first kept)");
    }
    if (conflicts[0] > 0) {
      drops.add(conflicts[0] + " rows of a query already seen in another split's file ignored");
    }
    der.add("Dropped: " + (drops.isEmpty() ? "none." : String.join(", ", drops) + "."));
    der.add(set.splitRule());
    return new ImportResult(dataset, "Imported from LLMRouter's routing data.", prov, der);
  }

  private static String text(JsonNode o, String field, String where) {
    JsonNode v = o.get(field);
    if (v == null || !v.isTextual()) {
      throw new CarrotException(where + ": '" + field + "' must be a string, got " + v);
    }
    return v.asText();
  }
}
