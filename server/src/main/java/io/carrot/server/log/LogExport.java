package io.carrot.server.log;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.CarrotException;
import io.carrot.core.Version;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.files.AtomicFiles;
import io.carrot.core.files.Json;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.GZIPOutputStream;

/**
 * Turns graded traffic into a routing dataset in carrot's format, so a router can be retrained on
 * its own traffic.
 *
 * <p>Every answered chat completion with a {@code /v1/feedback} grade and a stored prompt counts.
 * Requests with the same prompt (by hash) are merged into one dataset prompt; per model, the score
 * is the mean grade and the tokens and cost are means of what the upstream reported (the
 * predicted output tokens when an upstream reported none). Prices are those in force when the
 * requests were served.
 *
 * <p>Traffic usually has one model's answer per prompt, while the dataset format has every model
 * for every prompt. By default only prompts graded for every exported model are written (readable
 * by {@code carrot train} today); {@link Options#partial()} keeps the others with the missing
 * models left out, for estimators that support missing entries.
 */
public final class LogExport {
  private LogExport() {}

  /**
   * @param since only requests on or after this UTC day, or null for all
   * @param models the models to export, or null for every model that answered a graded request
   * @param partial keep prompts that lack some models
   * @param seed seed of the train/validation/test split
   * @param validation share of prompts in the validation split
   * @param test share of prompts in the test split
   * @param force replace an existing export in the folder
   */
  public record Options(LocalDate since, List<String> models, boolean partial, long seed, double validation, double test, boolean force) {
    public Options {
      if (!(validation >= 0 && test >= 0 && validation + test < 1)) {
        throw new CarrotException("validation and test shares must be >= 0 and sum to less than 1, got " + validation + " and " + test);
      }
      models = models == null ? null : List.copyOf(models);
    }

    public static Options defaults() {
      return new Options(null, null, false, 42, 0.1, 0.1, false);
    }
  }

  /**
   * What was exported.
   *
   * @param prompts dataset prompts written
   * @param gradedRequests graded requests read
   * @param incomplete prompts left out because some model had no grade
   * @param models the exported models
   */
  public record Result(int prompts, int gradedRequests, int incomplete, List<String> models) {}

  private static final class Cell {
    double score;
    double in;
    double out;
    double cost;
    int n;
    boolean allCost = true;
  }

  /** Exports to {@code dir} (created if needed). */
  public static Result export(DecisionLog log, Path dir, Options opts) {
    if (Files.exists(dir.resolve("prompts.jsonl.gz")) && !opts.force()) {
      throw new CarrotException(dir + " already holds a dataset (prompts.jsonl.gz); pass --force to replace it");
    }
    Map<String, String> prompts = new LinkedHashMap<>();
    Map<String, Map<String, Cell>> cells = new LinkedHashMap<>();
    Map<String, ModelPrice> prices = new TreeMap<>();
    int graded = log.query(c -> {
      String sql = "SELECT r.prompt_sha256, r.prompt, r.answered_model, r.actual_input_tokens, r.input_tokens, "
          + "r.actual_output_tokens, r.predicted_output_tokens, r.actual_cost_usd, r.price_input_per_mtok, "
          + "r.price_output_per_mtok, f.score FROM requests r JOIN feedback f ON f.request_id = r.request_id "
          + "WHERE r.endpoint = 'chat' AND r.status = 200 AND r.answered_model IS NOT NULL AND r.prompt IS NOT NULL "
          + "AND r.created_at >= ? ORDER BY r.created_at, r.request_id";
      int n = 0;
      try (PreparedStatement p = c.prepareStatement(sql)) {
        p.setLong(1, opts.since() == null ? Long.MIN_VALUE : opts.since().atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli());
        try (ResultSet r = p.executeQuery()) {
          while (r.next()) {
            String model = r.getString(3);
            double in = r.getDouble(4);
            if (r.wasNull()) {
              in = r.getDouble(5);
            }
            double out = r.getDouble(6);
            if (r.wasNull()) {
              out = r.getDouble(7);
              if (r.wasNull()) {
                continue;
              }
            }
            double cost = r.getDouble(8);
            boolean hasCost = !r.wasNull();
            double pin = r.getDouble(9);
            double pout = r.getDouble(10);
            if (!r.wasNull()) {
              prices.put(model, new ModelPrice(pin, pout, "carrot decision log: the price when the requests were served"));
            }
            prompts.putIfAbsent(r.getString(1), r.getString(2));
            Cell cell = cells.computeIfAbsent(r.getString(1), k -> new LinkedHashMap<>()).computeIfAbsent(model, k -> new Cell());
            cell.score += r.getDouble(11);
            cell.in += in;
            cell.out += out;
            cell.cost += hasCost ? cost : 0;
            cell.allCost &= hasCost;
            cell.n++;
            n++;
          }
        }
      }
      return n;
    });
    List<String> models = opts.models() != null ? opts.models() : new ArrayList<>(new TreeSet<>(prices.keySet()));
    for (String m : models) {
      if (!prices.containsKey(m)) {
        throw new CarrotException("model '" + m + "' answered no graded request; graded models are " + prices.keySet());
      }
    }
    if (models.isEmpty()) {
      throw new CarrotException("the decision log " + log.describe() + " has no graded requests"
          + (opts.since() == null ? "" : " since " + opts.since()) + "; grade answers with POST /v1/feedback {\"request_id\", \"score\"}");
    }
    List<ObjectNode> rows = new ArrayList<>();
    int incomplete = 0;
    for (Map.Entry<String, Map<String, Cell>> e : cells.entrySet()) {
      Map<String, Cell> byModel = e.getValue();
      long present = models.stream().filter(byModel::containsKey).count();
      if (present == 0 || (present < models.size() && !opts.partial())) {
        incomplete += present == 0 ? 0 : 1;
        continue;
      }
      boolean allCost = models.stream().filter(byModel::containsKey).allMatch(m -> byModel.get(m).allCost);
      ObjectNode o = Json.COMPACT.createObjectNode();
      o.put("id", "log-" + e.getKey().substring(0, 16));
      o.put("prompt", prompts.get(e.getKey()));
      o.put("source", "carrot-log");
      ObjectNode scores = o.putObject("scores");
      ObjectNode inTok = o.putObject("input_tokens");
      ObjectNode outTok = o.putObject("output_tokens");
      ObjectNode cost = allCost ? o.putObject("cost") : null;
      for (String m : models) {
        Cell c = byModel.get(m);
        if (c == null) {
          continue;
        }
        scores.put(m, c.score / c.n);
        inTok.put(m, c.in / c.n);
        outTok.put(m, c.out / c.n);
        if (cost != null) {
          cost.put(m, c.cost / c.n);
        }
      }
      rows.add(o);
    }
    if (rows.isEmpty()) {
      throw new CarrotException(
          graded + " graded requests, but no prompt is graded for every one of " + models
              + "; pass --partial to export prompts with missing models, or --models to export fewer models");
    }
    write(log, dir, opts, models, prices, rows, graded, incomplete);
    return new Result(rows.size(), graded, incomplete, models);
  }

  private static void write(
      DecisionLog log, Path dir, Options opts, List<String> models, Map<String, ModelPrice> prices, List<ObjectNode> rows,
      int graded, int incomplete) {
    Map<String, ModelPrice> table = new LinkedHashMap<>();
    for (String m : models) {
      table.put(m, prices.get(m));
    }
    AtomicFiles.write(dir.resolve("prompts.jsonl.gz"), raw -> {
      try (OutputStream out = new GZIPOutputStream(raw)) {
        for (ObjectNode o : rows) {
          out.write(Json.COMPACT.writeValueAsBytes(o));
          out.write('\n');
        }
      }
    });
    AtomicFiles.writeString(dir.resolve("models.json"), new PriceTable(table).toJson().toPrettyString() + "\n");
    List<String> ids = new ArrayList<>(rows.stream().map(o -> o.get("id").asText()).toList());
    Collections.shuffle(ids, new Random(opts.seed()));
    int nTest = (int) Math.round(ids.size() * opts.test());
    int nVal = (int) Math.round(ids.size() * opts.validation());
    ObjectNode split = Json.COMPACT.createObjectNode();
    ArrayNode train = split.putArray("train");
    ArrayNode val = split.putArray("validation");
    ArrayNode test = split.putArray("test");
    for (int i = 0; i < ids.size(); i++) {
      (i < nTest ? test : i < nTest + nVal ? val : train).add(ids.get(i));
    }
    AtomicFiles.writeString(dir.resolve("split.json"), split.toPrettyString() + "\n");
    String readme = """
        # %s

        Exported from the carrot decision log `%s` by `carrot log export` (carrot %s) at %s.

        - graded requests read: %d%s
        - prompts written: %d (requests with the same prompt are merged; scores are mean grades)
        - prompts left out because some model had no grade: %d%s
        - models: %s
        - split: seed %d, validation %.2f, test %.2f, the rest train

        Scores are users' grades from `POST /v1/feedback` (0..1). Input and output tokens are what the
        upstreams reported (the predicted output tokens where an upstream reported none); `cost`, when
        present, is the reported usage at the prices in force when the requests were served, which
        are the prices in `models.json`.
        """.formatted(
            dir.toAbsolutePath().normalize().getFileName(), log.describe(), Version.CURRENT,
            Instant.now().truncatedTo(ChronoUnit.SECONDS), graded,
            opts.since() == null ? "" : " (since " + opts.since() + ")", rows.size(), incomplete,
            opts.partial() ? " (--partial: prompts with missing models are kept, without those models)" : "",
            models, opts.seed(), opts.validation(), opts.test());
    AtomicFiles.write(dir.resolve("README.md"), out -> out.write(readme.getBytes(StandardCharsets.UTF_8)));
  }
}
