package io.carrot.collect.imports;

import com.fasterxml.jackson.databind.JsonNode;
import io.carrot.collect.dataset.FileHashes;
import io.carrot.core.CarrotException;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.core.files.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * RouterDC's JSON layout (shuhao02/RouterDC {@code datasets/split2_model7/*.json}, also used by
 * LLMRouter's RouterDC router): a JSON array of {@code {"question": "...", "scores": {"model":
 * score, ...}}} (an optional {@code cluster_id} is ignored), one file per task and split, e.g.
 * {@code arc_challenge_test.json}, {@code gsm8k-train.json}.
 *
 * <p>RouterDC records neither tokens nor costs: input tokens are counted with cl100k_base, output
 * tokens must be assumed with {@code --output-tokens N} (recorded as ASSUMED in the README), and
 * prices come from {@code --prices}. {@code id} is {@code <file stem>#<index>}; {@code source} the
 * file's task ({@code arc_challenge}); the split comes from the file names.
 */
public final class RouterDcImporter implements Importer {
  @Override
  public String name() {
    return "routerdc";
  }

  @Override
  public String accepts() {
    return "RouterDC JSON: [{question, scores: {model: score}}], one file per task and split; needs --prices and --output-tokens";
  }

  @Override
  public ImportResult read(List<Path> inputs, ImportOptions options) {
    if (inputs.isEmpty()) {
      throw new CarrotException("--in: give at least one RouterDC .json file");
    }
    if (options.prices() == null) {
      throw new CarrotException("RouterDC files carry no prices; pass --prices models.json (input_per_mtok, output_per_mtok per model)");
    }
    if (options.assumedOutputTokens() == null) {
      throw new CarrotException("RouterDC files record no output tokens; pass --output-tokens N (an assumed answer length,"
          + " recorded as ASSUMED in the README)");
    }
    RowSet set = null;
    List<String> files = new ArrayList<>();
    for (Path f : inputs) {
      JsonNode root;
      try {
        root = Json.MAPPER.readTree(Files.readString(f));
      } catch (IOException e) {
        throw new CarrotException(f + ": not JSON: " + e.getMessage(), e);
      }
      if (root == null || !root.isArray()) {
        throw new CarrotException(f + ": expected a JSON array of {\"question\": ..., \"scores\": {model: score}}");
      }
      if (set == null) {
        List<String> models = new ArrayList<>();
        if (!root.isEmpty()) {
          root.get(0).path("scores").fieldNames().forEachRemaining(models::add);
        }
        if (models.isEmpty()) {
          throw new CarrotException(f + ": the first item has no 'scores' object; expected {\"question\": ..., \"scores\": {model: score}}");
        }
        set = new RowSet(models);
      }
      Split hint = FileNames.split(f).orElse(null);
      String task = FileNames.task(f);
      String stem = FileNames.stem(f);
      int before = set.size();
      for (int i = 0; i < root.size(); i++) {
        String where = f.getFileName() + " item " + i;
        JsonNode item = root.get(i);
        JsonNode q = item.get("question");
        if (q == null || !q.isTextual()) {
          throw new CarrotException(where + ": 'question' must be a string");
        }
        JsonNode scores = item.get("scores");
        if (scores == null || !scores.isObject()) {
          throw new CarrotException(where + ": 'scores' must be an object of model -> score");
        }
        for (Iterator<String> it = scores.fieldNames(); it.hasNext(); ) {
          String m = it.next();
          if (!set.models().contains(m)) {
            throw new CarrotException(where + ": scores names model '" + m + "', which the first item of "
                + inputs.get(0).getFileName() + " does not (" + set.models() + ")");
          }
        }
        int m = set.models().size();
        double[] s = new double[m];
        double[] in = new double[m];
        double[] out = new double[m];
        int tokens = options.tokens().count(q.asText());
        boolean complete = true;
        for (int k = 0; k < m; k++) {
          JsonNode v = scores.get(set.models().get(k));
          if (v == null || v.isNull()) {
            set.drop("missing score for " + set.models().get(k));
            complete = false;
            break;
          }
          if (!v.isNumber()) {
            throw new CarrotException(where + ": scores." + set.models().get(k) + " = " + v + ", expected a number in [0, 1]");
          }
          s[k] = RowSet.check(v.asDouble(), "scores." + set.models().get(k), true, where);
          in[k] = tokens;
          out[k] = options.assumedOutputTokens();
        }
        if (complete) {
          set.add(new PromptRecord(stem + "#" + i, q.asText(), task, s, in, out, null), hint);
        }
      }
      files.add(FileHashes.cite(f) + ", " + (set.size() - before) + " items kept");
    }
    var dataset = set.build(options.name(), options.prices());
    List<String> prov = new ArrayList<>();
    prov.add("Source: RouterDC (Chen et al., NeurIPS 2024) JSON " + String.join("; ", files) + ".");
    prov.add("Prices: --prices (RouterDC records none).");
    List<String> der = new ArrayList<>();
    der.add("`scores`: RouterDC `scores` (correctness or probability of the right answer, in [0, 1]).");
    der.add("`input_tokens`: " + options.tokens().id() + " count of the question. `output_tokens`: ASSUMED "
        + options.assumedOutputTokens() + " for every model and prompt (--output-tokens; RouterDC records no answers),"
        + " so cost differences between prompts come from input length only.");
    der.add("`id`: `<file stem>#<index in the file>`; `source`: the task in the file name.");
    der.add("Dropped: " + (set.dropLines().isEmpty() ? "none." : String.join(", ", set.dropLines()) + "."));
    der.add(set.splitRule());
    return new ImportResult(dataset, "Imported from RouterDC's JSON layout.", prov, der);
  }
}
