package io.carrot.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.carrot.core.CarrotException;
import io.carrot.core.files.Json;
import io.carrot.core.files.JsonLines;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads a dataset folder in carrot's format: {@code prompts.jsonl.gz} (or {@code prompts.jsonl}),
 * {@code models.json} and optionally {@code split.json}.
 *
 * <p>A dataset may be sparse: a model absent (or {@code null}) in a prompt's {@code scores} was not
 * run on it and must then be absent from that prompt's other per-model fields too; every prompt
 * needs at least one score. Missing entries are {@code NaN} in {@link PromptRecord}.
 *
 * <p>Every problem is reported with the file, line and field, e.g. {@code prompts.jsonl.gz line 7:
 * scores.gpt-4o = 1.5, expected a number in [0, 1]}.
 */
public final class DatasetReader {
  private DatasetReader() {}

  /** Reads and validates the dataset in {@code dir}; errors name the file, line and field. */
  public static Dataset read(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new CarrotException(
          "dataset folder " + dir + " does not exist; expected a folder with prompts.jsonl.gz, models.json and split.json");
    }
    Path promptsFile = dir.resolve("prompts.jsonl.gz");
    if (!Files.exists(promptsFile)) {
      promptsFile = dir.resolve("prompts.jsonl");
    }
    if (!Files.exists(promptsFile)) {
      throw new CarrotException(dir + " has no prompts.jsonl.gz or prompts.jsonl");
    }
    Path modelsFile = dir.resolve("models.json");
    if (!Files.exists(modelsFile)) {
      throw new CarrotException(dir + " has no models.json (model -> input_per_mtok, output_per_mtok)");
    }
    MessageDigest sha = sha256();
    byte[] promptBytes = readAll(promptsFile);
    byte[] modelBytes = readAll(modelsFile);
    sha.update(promptBytes);
    sha.update(modelBytes);
    PriceTable prices;
    try {
      prices = PriceTable.fromJson(Json.MAPPER.readTree(modelBytes), modelsFile.getFileName().toString());
    } catch (IOException e) {
      throw new CarrotException("models.json: malformed JSON: " + e.getMessage(), e);
    }
    List<String> models = new ArrayList<>(prices.models());
    List<PromptRecord> prompts = readPrompts(promptsFile, promptBytes, models);
    Path splitFile = dir.resolve("split.json");
    Map<Split, int[]> split = new EnumMap<>(Split.class);
    if (Files.exists(splitFile)) {
      byte[] splitBytes = readAll(splitFile);
      sha.update(splitBytes);
      split = readSplit(splitBytes, prompts);
    }
    String name = dir.toAbsolutePath().normalize().getFileName().toString();
    return new Dataset(name, HexFormat.of().formatHex(sha.digest()), models, prices, prompts, split);
  }

  static List<PromptRecord> readPrompts(Path file, byte[] bytes, List<String> models) {
    String fname = file.getFileName().toString();
    Map<String, Integer> modelIndex = new HashMap<>();
    for (int i = 0; i < models.size(); i++) {
      modelIndex.put(models.get(i), i);
    }
    List<PromptRecord> out = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    try {
      JsonLines.forEachObject(new ByteArrayInputStream(bytes), fname, "a JSON object per line", (node, lineNo, where) -> {
        PromptRecord rec = parse(node, where, models, modelIndex);
        Integer prev = seen.put(rec.id(), lineNo);
        if (prev != null) {
          throw new CarrotException(where + ": duplicate id '" + rec.id() + "' (first on line " + prev + ")");
        }
        out.add(rec);
      });
    } catch (IOException e) {
      throw new CarrotException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new CarrotException(fname + ": no prompts");
    }
    return out;
  }

  private static PromptRecord parse(
      JsonNode node, String where, List<String> models, Map<String, Integer> modelIndex) {
    String id = text(node, "id", where);
    String prompt = text(node, "prompt", where);
    String source = node.path("source").asText("");
    double[] scores = perModel(node, "scores", where, models, modelIndex, true, 0, 1);
    double[] inTok = perModel(node, "input_tokens", where, models, modelIndex, true, 0, Double.MAX_VALUE);
    double[] outTok = perModel(node, "output_tokens", where, models, modelIndex, true, 0, Double.MAX_VALUE);
    double[] cost =
        node.has("cost") && !node.get("cost").isNull()
            ? perModel(node, "cost", where, models, modelIndex, true, 0, Double.MAX_VALUE)
            : null;
    // Sparse datasets: a model may be absent from a prompt, but then from every per-model field.
    int observed = 0;
    for (int i = 0; i < scores.length; i++) {
      boolean has = !Double.isNaN(scores[i]);
      observed += has ? 1 : 0;
      sameEntries(where, models.get(i), has, "input_tokens", inTok[i]);
      sameEntries(where, models.get(i), has, "output_tokens", outTok[i]);
      if (cost != null) {
        sameEntries(where, models.get(i), has, "cost", cost[i]);
      }
    }
    if (observed == 0) {
      throw new CarrotException(where + ": scores has no model; expected a score for at least one of " + models);
    }
    return new PromptRecord(id, prompt, source, scores, inTok, outTok, cost);
  }

  private static void sameEntries(String where, String model, boolean hasScore, String field, double v) {
    if (hasScore && Double.isNaN(v)) {
      throw new CarrotException(where + ": " + field + " is missing model '" + model + "', which has a score");
    }
    if (!hasScore && !Double.isNaN(v)) {
      throw new CarrotException(
          where + ": " + field + " has model '" + model + "', which has no score (a model left out of a prompt"
              + " must be left out of every per-model field)");
    }
  }

  private static String text(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new CarrotException(where + ": missing field '" + field + "'");
    }
    if (!v.isTextual()) {
      throw new CarrotException(where + ": field '" + field + "' must be a string, got " + v.getNodeType());
    }
    return v.asText();
  }

  private static double[] perModel(
      JsonNode node,
      String field,
      String where,
      List<String> models,
      Map<String, Integer> modelIndex,
      boolean required,
      double min,
      double max) {
    JsonNode obj = node.get(field);
    if (obj == null || obj.isNull()) {
      if (required) {
        throw new CarrotException(where + ": missing field '" + field + "' (an object of model -> number)");
      }
      return null;
    }
    if (!obj.isObject()) {
      throw new CarrotException(where + ": field '" + field + "' must be an object of model -> number");
    }
    double[] v = new double[models.size()];
    java.util.Arrays.fill(v, Double.NaN);
    Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      Integer i = modelIndex.get(e.getKey());
      if (i == null) {
        throw new CarrotException(
            where + ": " + field + " names model '" + e.getKey() + "', which is not in models.json");
      }
      JsonNode x = e.getValue();
      if (x.isNull()) {
        continue; // the model has no entry for this prompt (sparse dataset)
      }
      if (!x.isNumber()) {
        throw new CarrotException(where + ": " + field + "." + e.getKey() + " = " + x + ", expected a number");
      }
      double d = x.asDouble();
      if (!(d >= min && d <= max)) {
        String range = max == Double.MAX_VALUE ? ">= " + fmt(min) : "in [" + fmt(min) + ", " + fmt(max) + "]";
        throw new CarrotException(
            where + ": " + field + "." + e.getKey() + " = " + x + ", expected a number " + range);
      }
      v[i] = d;
    }
    return v;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  static Map<Split, int[]> readSplit(byte[] bytes, List<PromptRecord> prompts) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new CarrotException("split.json: malformed JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new CarrotException("split.json: expected an object {\"train\": [ids], \"validation\": [ids], \"test\": [ids]}");
    }
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < prompts.size(); i++) {
      index.put(prompts.get(i).id(), i);
    }
    Map<String, String> owner = new HashMap<>();
    Map<Split, int[]> out = new EnumMap<>(Split.class);
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String key = names.next();
      boolean known = false;
      for (Split s : Split.values()) {
        known |= s.key().equals(key);
      }
      if (!known) {
        throw new CarrotException("split.json: unknown split '" + key + "'; expected train, validation, test");
      }
    }
    for (Split s : Split.values()) {
      JsonNode arr = root.get(s.key());
      if (arr == null) {
        out.put(s, new int[0]);
        continue;
      }
      if (!arr.isArray()) {
        throw new CarrotException("split.json: '" + s.key() + "' must be an array of ids");
      }
      int[] idx = new int[arr.size()];
      for (int j = 0; j < arr.size(); j++) {
        String id = arr.get(j).asText();
        Integer i = index.get(id);
        if (i == null) {
          throw new CarrotException(
              "split.json: " + s.key() + "[" + j + "] = '" + id + "' is not an id in the prompts file");
        }
        String prev = owner.put(id, s.key());
        if (prev != null) {
          throw new CarrotException("split.json: id '" + id + "' is in both " + prev + " and " + s.key());
        }
        idx[j] = i;
      }
      out.put(s, idx);
    }
    return out;
  }

  private static byte[] readAll(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new CarrotException("cannot read " + p + ": " + e.getMessage(), e);
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
