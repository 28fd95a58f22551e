package io.carrot.collect.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.carrot.collect.llm.LlmServer;
import io.carrot.core.CarrotException;
import io.carrot.core.data.ModelPrice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code models.yaml} of a collection: upstream servers, candidate models, judges.
 *
 * <pre>
 * upstreams:
 *   openai: {base_url: https://api.openai.com, api_key_env: OPENAI_API_KEY, concurrency: 8, requests_per_minute: 500}
 * models:
 *   - {name: gpt-4o-mini, upstream: openai, model: gpt-4o-mini-2024-07-18, input_per_mtok: 0.15, output_per_mtok: 0.6}
 * judges:
 *   - {name: judge, upstream: openai, model: gpt-4o, input_per_mtok: 2.5, output_per_mtok: 10, max_tokens: 256}
 * assumed_output_tokens: 300   # only for the cost estimate printed before starting
 * system_prompt: ""            # optional system message for the candidates
 * </pre>
 *
 * <p>Every problem names the file and the field. docs/collect.md documents each key.
 *
 * @param upstreams by name
 * @param models candidates, in dataset order
 * @param judges models that may be named by {@code --judge} (candidates may be too)
 * @param assumedOutputTokens output length assumed by the cost estimate
 * @param systemPrompt system message sent with every candidate call (empty: none)
 */
public record CollectConfig(
    Map<String, LlmServer> upstreams,
    List<CollectedModel> models,
    List<CollectedModel> judges,
    int assumedOutputTokens,
    String systemPrompt) {

  public static final int DEFAULT_MAX_TOKENS = 1024;
  public static final int DEFAULT_ASSUMED_OUTPUT_TOKENS = 300;

  private static final Set<String> TOP_KEYS =
      Set.of("upstreams", "models", "judges", "assumed_output_tokens", "system_prompt");
  private static final Set<String> UPSTREAM_KEYS =
      Set.of("base_url", "api_key_env", "concurrency", "requests_per_minute", "max_attempts", "backoff_ms");
  private static final Set<String> MODEL_KEYS = Set.of(
      "name", "upstream", "model", "input_per_mtok", "output_per_mtok", "price_source", "max_tokens", "temperature");

  public CollectConfig {
    upstreams = Map.copyOf(upstreams);
    models = List.copyOf(models);
    judges = List.copyOf(judges);
    if (models.isEmpty()) {
      throw new CarrotException("models: the list is empty; expected at least one model to collect answers from");
    }
  }

  /** The judge or candidate called {@code name}. */
  public CollectedModel judge(String name) {
    for (CollectedModel j : judges) {
      if (j.name().equals(name)) {
        return j;
      }
    }
    for (CollectedModel m : models) {
      if (m.name().equals(name)) {
        return m;
      }
    }
    List<String> known = new ArrayList<>();
    judges.forEach(j -> known.add(j.name()));
    models.forEach(m -> known.add(m.name()));
    throw new CarrotException("--judge " + name + ": no judge or model of that name in models.yaml; it has " + known);
  }

  public static CollectConfig read(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
    } catch (IOException e) {
      throw new CarrotException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return parse(root, file.getFileName().toString());
  }

  static CollectConfig parse(JsonNode root, String where) {
    if (root == null || !root.isObject()) {
      throw new CarrotException(where + ": expected a mapping with 'upstreams' and 'models'");
    }
    unknownKeys(root, TOP_KEYS, where);
    JsonNode ups = root.path("upstreams");
    if (!ups.isObject() || ups.isEmpty()) {
      throw new CarrotException(where + ": 'upstreams' must map names to {base_url, api_key_env, concurrency, requests_per_minute}");
    }
    Map<String, LlmServer> upstreams = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : ups.properties()) {
      String at = where + ": upstreams." + e.getKey();
      JsonNode u = e.getValue();
      if (!u.isObject()) {
        throw new CarrotException(at + ": expected a mapping with base_url");
      }
      unknownKeys(u, UPSTREAM_KEYS, at);
      LlmServer up = LlmServer.of(e.getKey(), text(u, "base_url", at, null),
          u.has("api_key_env") ? text(u, "api_key_env", at, null) : null,
          integer(u, "concurrency", at, LlmServer.DEFAULT_CONCURRENCY),
          number(u, "requests_per_minute", at, 0));
      if (u.has("max_attempts") || u.has("backoff_ms")) {
        int backoff = integer(u, "backoff_ms", at, (int) up.initialBackoff().toMillis());
        if (backoff < 0) {
          throw new CarrotException(at + ": 'backoff_ms' must be >= 0, got " + backoff);
        }
        up = up.withBackoff(integer(u, "max_attempts", at, up.maxAttempts()), java.time.Duration.ofMillis(backoff), up.maxBackoff());
      }
      upstreams.put(e.getKey(), up);
    }
    List<CollectedModel> models = models(root.path("models"), "models", where, upstreams, true);
    List<CollectedModel> judges = models(root.path("judges"), "judges", where, upstreams, false);
    int assumed = integer(root, "assumed_output_tokens", where, DEFAULT_ASSUMED_OUTPUT_TOKENS);
    if (assumed < 0) {
      throw new CarrotException(where + ": assumed_output_tokens must be >= 0, got " + assumed);
    }
    String system = root.has("system_prompt") ? text(root, "system_prompt", where, null) : "";
    return new CollectConfig(upstreams, models, judges, assumed, system);
  }

  private static List<CollectedModel> models(
      JsonNode list, String key, String where, Map<String, LlmServer> upstreams, boolean required) {
    if (list.isMissingNode() || list.isNull()) {
      if (required) {
        throw new CarrotException(where + ": '" + key + "' is missing; expected a list of {name, upstream, model, input_per_mtok, output_per_mtok}");
      }
      return List.of();
    }
    if (!list.isArray()) {
      throw new CarrotException(where + ": '" + key + "' must be a list of models");
    }
    List<CollectedModel> out = new ArrayList<>();
    Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode m = list.get(i);
      String at = where + ": " + key + "[" + i + "]";
      if (!m.isObject()) {
        throw new CarrotException(at + ": expected a mapping");
      }
      unknownKeys(m, MODEL_KEYS, at);
      String name = text(m, "name", at, null);
      at = where + ": " + key + "[" + i + "] (" + name + ")";
      String upstream = text(m, "upstream", at, null);
      if (!upstreams.containsKey(upstream)) {
        throw new CarrotException(at + ": upstream '" + upstream + "' is not defined; upstreams: " + upstreams.keySet());
      }
      if (!seen.add(name)) {
        throw new CarrotException(at + ": the name '" + name + "' is used twice");
      }
      double in = number(m, "input_per_mtok", at, Double.NaN);
      double outPrice = number(m, "output_per_mtok", at, Double.NaN);
      String source = m.has("price_source") ? text(m, "price_source", at, null) : "models.yaml";
      ModelPrice price;
      try {
        price = new ModelPrice(in, outPrice, source);
      } catch (CarrotException e) {
        throw new CarrotException(at + ": " + e.getMessage());
      }
      try {
        out.add(new CollectedModel(name, upstream, m.has("model") ? text(m, "model", at, null) : name, price,
            integer(m, "max_tokens", at, DEFAULT_MAX_TOKENS), number(m, "temperature", at, 0)));
      } catch (CarrotException e) {
        throw new CarrotException(where + ": " + e.getMessage());
      }
    }
    return out;
  }

  private static void unknownKeys(JsonNode o, Set<String> known, String where) {
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!known.contains(k)) {
        throw new CarrotException(where + ": unknown key '" + k + "'; expected one of " + new java.util.TreeSet<>(known));
      }
    }
  }

  private static String text(JsonNode o, String key, String where, String dflt) {
    JsonNode v = o.get(key);
    if (v == null || v.isNull()) {
      if (dflt != null) {
        return dflt;
      }
      throw new CarrotException(where + ": '" + key + "' is missing");
    }
    if (!v.isValueNode() || v.asText().isBlank() && !key.equals("system_prompt")) {
      throw new CarrotException(where + ": '" + key + "' must be a non-empty string, got " + v);
    }
    return v.asText();
  }

  private static int integer(JsonNode o, String key, String where, int dflt) {
    JsonNode v = o.get(key);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber()) {
      throw new CarrotException(where + ": '" + key + "' must be an integer, got " + v);
    }
    return v.asInt();
  }

  private static double number(JsonNode o, String key, String where, double dflt) {
    JsonNode v = o.get(key);
    if (v == null || v.isNull()) {
      if (Double.isNaN(dflt)) {
        throw new CarrotException(where + ": '" + key + "' is missing (USD per million tokens)");
      }
      return dflt;
    }
    if (!v.isNumber()) {
      throw new CarrotException(where + ": '" + key + "' must be a number, got " + v);
    }
    return v.asDouble();
  }
}
