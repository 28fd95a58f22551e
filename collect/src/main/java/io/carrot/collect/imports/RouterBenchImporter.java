package io.carrot.collect.imports;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.carrot.collect.dataset.FileHashes;
import io.carrot.core.CarrotException;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RouterBench's released tables as CSV (RouterBench ships a pandas pickle; convert it with {@code
 * pd.read_pickle(f).to_csv(out, index=False)}; RouterDC redistributes the same columns as CSV):
 * {@code sample_id}, {@code prompt}, {@code eval_name}, one correctness column per model (named
 * after the model, values in [0, 1]), {@code <model>|model_response} and {@code
 * <model>|total_cost} (USD). Other columns (e.g. {@code oracle_model_to_route_to}) are ignored.
 *
 * <p>Models are the columns {@code M} with a {@code M|total_cost} column. Prompts and responses
 * stored as Python list literals ({@code ['...']}) are unpacked; the prompt is the elements joined
 * by a blank line. Input tokens are the cl100k_base count of the prompt, output tokens that of each
 * response (RouterBench computed {@code total_cost} the same way), {@code cost} is {@code total_cost}
 * exactly. Rows with a missing correctness or cost value are dropped and counted. Prices default to
 * RouterBench's own table for its 11 models; {@code --prices} overrides or adds.
 */
public final class RouterBenchImporter implements Importer {
  /** RouterBench's price table (withmartian/routerbench routers/common.py, TOKEN_COSTS, USD per Mtok). */
  static final Map<String, double[]> ROUTERBENCH_PRICES = new LinkedHashMap<>();

  static final String PRICE_SOURCE = "RouterBench price table, github.com/withmartian/routerbench routers/common.py"
      + " (TOKEN_COSTS) @ cc67d1008bd8f3cf1e8040cc3ba4034d31b93c0c, read as USD per 1M tokens";

  static {
    ROUTERBENCH_PRICES.put("WizardLM/WizardLM-13B-V1.2", new double[] {0.3, 0.3});
    ROUTERBENCH_PRICES.put("claude-instant-v1", new double[] {0.8, 2.4});
    ROUTERBENCH_PRICES.put("claude-v1", new double[] {8.0, 24.0});
    ROUTERBENCH_PRICES.put("claude-v2", new double[] {8.0, 24.0});
    ROUTERBENCH_PRICES.put("gpt-3.5-turbo-1106", new double[] {1.0, 2.0});
    ROUTERBENCH_PRICES.put("gpt-4-1106-preview", new double[] {10.0, 30.0});
    ROUTERBENCH_PRICES.put("meta/code-llama-instruct-34b-chat", new double[] {0.776, 0.776});
    ROUTERBENCH_PRICES.put("meta/llama-2-70b-chat", new double[] {0.9, 0.9});
    ROUTERBENCH_PRICES.put("mistralai/mistral-7b-chat", new double[] {0.2, 0.2});
    ROUTERBENCH_PRICES.put("mistralai/mixtral-8x7b-chat", new double[] {0.6, 0.6});
    ROUTERBENCH_PRICES.put("zero-one-ai/Yi-34B-Chat", new double[] {0.8, 0.8});
  }

  private static final String COST = "|total_cost";
  private static final String RESPONSE = "|model_response";

  @Override
  public String name() {
    return "routerbench";
  }

  @Override
  public String accepts() {
    return "RouterBench CSV: sample_id, prompt, eval_name, <model>, <model>|model_response, <model>|total_cost";
  }

  @Override
  public ImportResult read(List<Path> inputs, ImportOptions options) {
    if (inputs.isEmpty()) {
      throw new CarrotException("--in: give at least one RouterBench .csv file");
    }
    List<String> models = null;
    List<String> files = new ArrayList<>();
    RowSet set = null;
    for (Path f : inputs) {
      List<String> header = header(f);
      for (String required : List.of("sample_id", "prompt")) {
        if (!header.contains(required)) {
          throw new CarrotException(f + ": no '" + required + "' column; RouterBench's layout has sample_id, prompt,"
              + " eval_name and per model <model>, <model>|model_response, <model>|total_cost; columns: " + header);
        }
      }
      List<String> m = new ArrayList<>();
      for (String c : header) {
        if (c.endsWith(COST) && header.contains(c.substring(0, c.length() - COST.length()))) {
          m.add(c.substring(0, c.length() - COST.length()));
        }
      }
      if (m.isEmpty()) {
        throw new CarrotException(f + ": no model columns (a column <model> with a <model>|total_cost column); columns: " + header);
      }
      if (models == null) {
        models = m;
        set = new RowSet(models);
      } else if (!java.util.Set.copyOf(models).equals(java.util.Set.copyOf(m))) {
        throw new CarrotException(f + ": its models " + m + " differ from " + inputs.get(0).getFileName() + "'s " + models);
      }
      int before = set.size();
      readFile(f, header.size(), set, options);
      files.add(FileHashes.cite(f) + ", " + (set.size() - before) + " rows kept");
    }
    Map<String, ModelPrice> p = new LinkedHashMap<>();
    List<String> fromTable = new ArrayList<>();
    for (String m : models) {
      if (options.prices() != null && options.prices().has(m)) {
        p.put(m, options.prices().price(m));
      } else if (ROUTERBENCH_PRICES.containsKey(m)) {
        double[] x = ROUTERBENCH_PRICES.get(m);
        p.put(m, new ModelPrice(x[0], x[1], PRICE_SOURCE));
        fromTable.add(m);
      } else {
        throw new CarrotException("model '" + m + "' is not in RouterBench's price table; pass --prices models.json with its"
            + " input_per_mtok and output_per_mtok");
      }
    }
    var dataset = set.build(options.name(), new PriceTable(p));
    List<String> prov = new ArrayList<>();
    prov.add("Source: RouterBench (Hu et al. 2024, arXiv 2403.12031) CSV " + String.join("; ", files) + ".");
    prov.add("Prices: " + (fromTable.isEmpty() ? "" : PRICE_SOURCE + " for " + fromTable.size() + " models")
        + (fromTable.size() < models.size() ? (fromTable.isEmpty() ? "" : "; ") + "--prices for the others" : "") + ".");
    prov.add("Licence: RouterBench's code and dataset card declare MIT; keep the underlying benchmarks' attribution.");
    List<String> der = new ArrayList<>();
    der.add("`prompt`: the `prompt` cell (a Python list literal is unpacked, elements joined by a blank line); `source`:"
        + " `eval_name`; `id`: `sample_id`.");
    der.add("`scores`: the per-model correctness columns. `cost`: `<model>|total_cost`, exact.");
    der.add("`input_tokens` / `output_tokens`: " + options.tokens().id() + " counts of the prompt and of each model's"
        + " `<model>|model_response`, as RouterBench computed `total_cost`.");
    der.add("Dropped: " + (set.dropLines().isEmpty() ? "none." : String.join(", ", set.dropLines()) + "."));
    der.add(set.splitRule());
    return new ImportResult(dataset, "Imported from RouterBench's result tables.", prov, der);
  }

  private static List<String> header(Path f) {
    try (MappingIterator<List<String>> it = new CsvMapper().readerForListOf(String.class)
        .with(com.fasterxml.jackson.dataformat.csv.CsvParser.Feature.WRAP_AS_ARRAY)
        .readValues(reader(f))) {
      if (!it.hasNext()) {
        throw new CarrotException(f + ": empty CSV file");
      }
      return it.next();
    } catch (IOException | RuntimeException e) {
      if (e instanceof CarrotException ce) {
        throw ce;
      }
      throw new CarrotException(f + ": cannot read CSV header: " + e.getMessage(), e);
    }
  }

  private static Reader reader(Path f) throws IOException {
    return Files.newBufferedReader(f, StandardCharsets.UTF_8);
  }

  private static void readFile(Path f, int columns, RowSet set, ImportOptions options) {
    Split hint = FileNames.split(f).orElse(null);
    CsvSchema schema = CsvSchema.emptySchema().withHeader();
    int row = 0;
    try (MappingIterator<Map<String, String>> it = new CsvMapper().readerForMapOf(String.class).with(schema).readValues(reader(f))) {
      // row counts the rows read whole, so a row that cannot be parsed is row + 1
      while (it.hasNext()) {
        Map<String, String> r = it.next();
        row++;
        String where = f.getFileName() + " row " + row;
        if (r.size() < columns) {
          // a file cut off mid-row (an interrupted download or copy) ends with a short row
          throw new CarrotException(f + " row " + row + ": " + r.size() + " of the header's " + columns + " columns"
              + (it.hasNext() ? "" : " and then the end of the file: the file looks cut off mid-row"));
        }
        String id = r.get("sample_id");
        if (id == null || id.isBlank()) {
          throw new CarrotException(where + ": empty sample_id");
        }
        List<String> promptParts = PythonLiteral.strings(r.getOrDefault("prompt", ""), where + " prompt");
        String prompt = String.join("\n\n", promptParts);
        int inTokens = 0;
        for (String s : promptParts) {
          inTokens += options.tokens().count(s);
        }
        int m = set.models().size();
        double[] scores = new double[m];
        double[] in = new double[m];
        double[] out = new double[m];
        double[] cost = new double[m];
        boolean complete = true;
        for (int i = 0; i < m && complete; i++) {
          String model = set.models().get(i);
          Double score = number(r.get(model), where, model);
          Double c = number(r.get(model + COST), where, model + COST);
          if (score == null || c == null) {
            set.drop("missing " + (score == null ? "correctness" : "total_cost") + " for " + model);
            complete = false;
            break;
          }
          scores[i] = RowSet.check(score, model, true, where);
          cost[i] = RowSet.check(c, model + COST, false, where);
          in[i] = inTokens;
          int o = 0;
          String resp = r.get(model + RESPONSE);
          if (resp != null && !resp.isEmpty()) {
            for (String s : PythonLiteral.strings(resp, where + " " + model + RESPONSE)) {
              o += options.tokens().count(s);
            }
          }
          out[i] = o;
        }
        if (complete) {
          set.add(new PromptRecord(id, prompt, r.getOrDefault("eval_name", ""), scores, in, out, cost), hint);
        }
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof CarrotException ce) {
        throw ce;
      }
      Throwable t = e; // MappingIterator wraps the parser's error in an unchecked one
      while (t != null && !(t instanceof com.fasterxml.jackson.core.JsonProcessingException)) {
        t = t.getCause();
      }
      String why = t instanceof com.fasterxml.jackson.core.JsonProcessingException j
          ? j.getOriginalMessage() + (j.getLocation() == null ? "" : " (line " + j.getLocation().getLineNr() + ")")
          : e.getMessage();
      throw new CarrotException(f + " row " + (row + 1) + ": cannot read CSV: " + why, e);
    }
  }

  private static Double number(String cell, String where, String column) {
    if (cell == null || cell.isBlank() || cell.equalsIgnoreCase("nan")) {
      return null;
    }
    String c = cell.strip();
    if (c.equalsIgnoreCase("true")) {
      return 1.0;
    }
    if (c.equalsIgnoreCase("false")) {
      return 0.0;
    }
    try {
      return Double.parseDouble(c);
    } catch (NumberFormatException e) {
      throw new CarrotException(where + ": " + column + " = '" + cell + "', expected a number");
    }
  }
}
