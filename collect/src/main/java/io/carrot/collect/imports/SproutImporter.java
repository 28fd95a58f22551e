package io.carrot.collect.imports;

import com.fasterxml.jackson.databind.JsonNode;
import io.carrot.collect.dataset.FileHashes;
import io.carrot.collect.parquet.ParquetExporter;
import io.carrot.collect.parquet.ParquetTables;
import io.carrot.core.CarrotException;
import io.carrot.core.data.PriceTable;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.core.files.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * SPROUT's Parquet layout (CARROT-LLM-Routing/SPROUT; also what {@code carrot export parquet}
 * writes): one row per prompt with a {@code prompt} string column and, per model, a struct column
 * named after the model holding {@code score} (in [0, 1]), {@code num_input_tokens} and {@code
 * num_output_tokens} (other struct fields, such as the response, are ignored; an optional {@code
 * cost} is kept).
 *
 * <p>Every top-level struct with those three fields is a model. Optional columns: {@code id} (or
 * {@code prompt_id}, {@code sample_id}; default {@code <file stem>#<row>}), {@code source} or
 * {@code dataset} (the benchmark), {@code split} and {@code split_rank} (order within the split). The split comes from a {@code split} column, else
 * from the file names ({@code train-00000-of-00001.parquet}, {@code default/test/0000.parquet}),
 * else it is the seeded 70/15/15. SPROUT carries no prices: pass {@code --prices}, unless the file
 * has carrot's {@code carrot.models_json} metadata.
 */
public final class SproutImporter implements Importer {
  private static final Set<String> MODEL_FIELDS = Set.of("score", "num_input_tokens", "num_output_tokens");

  @Override
  public String name() {
    return "sprout";
  }

  @Override
  public String accepts() {
    return "SPROUT Parquet: prompt, dataset, one struct per model {score, num_input_tokens, num_output_tokens}";
  }

  @Override
  public ImportResult read(List<Path> inputs, ImportOptions options) {
    if (inputs.isEmpty()) {
      throw new CarrotException("--in: give at least one SPROUT .parquet file");
    }
    List<String> models = null;
    PriceTable embedded = null;
    List<String> files = new ArrayList<>();
    for (Path f : inputs) {
      ParquetTables.Header h = ParquetTables.header(f);
      List<String> m = modelColumns(h.schema());
      if (m.isEmpty()) {
        throw new CarrotException(f + ": no model columns; SPROUT's layout has one struct column per model with fields "
            + MODEL_FIELDS + "; the columns are " + h.schema().getFields().stream().map(Type::getName).toList());
      }
      if (!h.schema().containsField("prompt")) {
        throw new CarrotException(f + ": no 'prompt' column; SPROUT's layout has one row per prompt with a 'prompt' string");
      }
      if (models == null) {
        models = m;
      } else if (!Set.copyOf(models).equals(Set.copyOf(m))) {
        throw new CarrotException(f + ": its models " + m + " differ from " + inputs.get(0).getFileName() + "'s " + models
            + "; every file must hold the same models");
      }
      if (embedded == null && h.metadata().containsKey(ParquetExporter.KEY_MODELS)) {
        embedded = embeddedPrices(h.metadata().get(ParquetExporter.KEY_MODELS), f);
      }
      files.add(FileHashes.cite(f) + ", " + h.rows() + " rows");
    }
    PriceTable prices = options.prices() != null ? options.prices() : embedded;
    if (prices == null) {
      throw new CarrotException("SPROUT files carry no prices; pass --prices models.json with input_per_mtok and"
          + " output_per_mtok (USD per million tokens) for " + models);
    }
    RowSet set = new RowSet(models);
    for (Path f : inputs) {
      readFile(f, set);
    }
    var dataset = set.build(options.name(), prices);
    List<String> prov = new ArrayList<>();
    prov.add("Source: SPROUT-layout Parquet " + String.join("; ", files) + ".");
    prov.add("Prices: " + (options.prices() != null ? "from --prices." : "from the files' `carrot.models_json` metadata.")
        + " SPROUT itself records no prices or costs.");
    List<String> der = new ArrayList<>();
    der.add("`scores`: each model struct's `score`; `input_tokens` / `output_tokens`: its `num_input_tokens` /"
        + " `num_output_tokens`; `cost`: its `cost` where present, else tokens x prices.");
    der.add("`id`: the `id` / `prompt_id` / `sample_id` column, else `<file stem>#<row>`; `source`: the `source` or"
        + " `dataset` column.");
    der.add("Dropped: " + (set.dropLines().isEmpty() ? "none." : String.join(", ", set.dropLines()) + "."));
    der.add(set.splitRule());
    return new ImportResult(dataset, "Imported from SPROUT's Parquet layout (CARROT, Somerstep et al. 2025).", prov, der);
  }

  static List<String> modelColumns(MessageType schema) {
    List<String> out = new ArrayList<>();
    for (Type t : schema.getFields()) {
      if (!t.isPrimitive()) {
        GroupType g = t.asGroupType();
        if (MODEL_FIELDS.stream().allMatch(g::containsField)) {
          out.add(t.getName());
        }
      }
    }
    return out;
  }

  private static PriceTable embeddedPrices(String json, Path f) {
    try {
      JsonNode n = Json.MAPPER.readTree(json);
      return PriceTable.fromJson(n, f + " metadata " + ParquetExporter.KEY_MODELS);
    } catch (IOException e) {
      throw new CarrotException(f + ": metadata " + ParquetExporter.KEY_MODELS + " is not JSON: " + e.getMessage(), e);
    }
  }

  private static void readFile(Path f, RowSet set) {
    Split fileSplit = FileNames.split(f).orElse(null);
    String stem = FileNames.stem(f);
    int[] rowNo = {0};
    ParquetTables.read(f, row -> {
      int n = rowNo[0]++;
      String where = f.getFileName() + " row " + n;
      Object prompt = row.get("prompt");
      if (!(prompt instanceof String p)) {
        throw new CarrotException(where + ": 'prompt' = " + prompt + ", expected a string");
      }
      String id = firstText(row, "id", "prompt_id", "sample_id");
      if (id == null) {
        id = stem + "#" + n;
      }
      String source = firstText(row, "source", "dataset");
      Split hint = fileSplit;
      String split = firstText(row, "split");
      if (split != null) {
        hint = switch (split) {
          case "train" -> Split.TRAIN;
          case "validation", "valid", "val", "dev" -> Split.VALIDATION;
          case "test" -> Split.TEST;
          default -> throw new CarrotException(where + ": split = '" + split + "', expected train, validation or test");
        };
      }
      int m = set.models().size();
      double[] scores = new double[m];
      double[] in = new double[m];
      double[] out = new double[m];
      double[] cost = new double[m];
      boolean hasCost = true;
      for (int i = 0; i < m; i++) {
        String model = set.models().get(i);
        if (!(row.get(model) instanceof Map<?, ?> s)) {
          set.drop("no entry for " + model);
          return;
        }
        Double score = num(s.get("score"), where, model + ".score");
        Double ti = num(s.get("num_input_tokens"), where, model + ".num_input_tokens");
        Double to = num(s.get("num_output_tokens"), where, model + ".num_output_tokens");
        if (score == null || ti == null || to == null) {
          set.drop("missing score or token count for " + model);
          return;
        }
        scores[i] = RowSet.check(score, model + ".score", true, where);
        in[i] = RowSet.check(ti, model + ".num_input_tokens", false, where);
        out[i] = RowSet.check(to, model + ".num_output_tokens", false, where);
        Double c = num(s.get("cost"), where, model + ".cost");
        if (c == null) {
          hasCost = false;
        } else {
          cost[i] = RowSet.check(c, model + ".cost", false, where);
        }
      }
      Long rank = row.get("split_rank") instanceof Long l ? l : null;
      set.add(new PromptRecord(id, p, source == null ? "" : source, scores, in, out, hasCost ? cost : null), hint, rank);
    });
  }

  private static String firstText(Map<String, Object> row, String... names) {
    for (String n : names) {
      Object v = row.get(n);
      if (v instanceof String s) {
        return s;
      }
      if (v instanceof Number x) {
        return x instanceof Double d ? d.toString() : Long.toString(x.longValue());
      }
    }
    return null;
  }

  private static Double num(Object v, String where, String field) {
    if (v == null) {
      return null;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof Boolean b) {
      return b ? 1.0 : 0.0;
    }
    throw new CarrotException(where + ": " + field + " = " + v + ", expected a number");
  }
}
