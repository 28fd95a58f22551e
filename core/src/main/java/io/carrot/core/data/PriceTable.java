package io.carrot.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.CarrotException;
import io.carrot.core.files.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Prices per model. Costs are computed from predicted tokens and this table at route time, so a
 * price change needs no retraining: load a new table and route again.
 *
 * <p>On disk it is the {@code models.json} of a dataset: {@code {"model": {"input_per_mtok": x,
 * "output_per_mtok": y, "price_source": "...", "context_window": n}}}} ({@code price_source} and
 * {@code context_window} optional).
 */
public final class PriceTable {
  private final Map<String, ModelPrice> prices;

  /** A table of the given prices, in iteration order. */
  public PriceTable(Map<String, ModelPrice> prices) {
    this.prices = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(prices));
  }

  /** The price of {@code model}; fails naming the known models when it has none. */
  public ModelPrice price(String model) {
    ModelPrice p = prices.get(model);
    if (p == null) {
      throw new CarrotException(
          "model '" + model + "' is missing from the price table; it has: " + prices.keySet());
    }
    return p;
  }

  /** True when {@code model} has a price. */
  public boolean has(String model) {
    return prices.containsKey(model);
  }

  /** The priced models. */
  public Set<String> models() {
    return prices.keySet();
  }

  /** The prices as an unmodifiable map. */
  public Map<String, ModelPrice> asMap() {
    return prices;
  }

  /** A copy of this table with the given models' prices replaced or added. */
  public PriceTable with(Map<String, ModelPrice> overrides) {
    Map<String, ModelPrice> m = new LinkedHashMap<>(prices);
    m.putAll(overrides);
    return new PriceTable(m);
  }

  /** Checks that every one of {@code models} has a price. */
  public void requireAll(Collection<String> models, String what) {
    for (String m : models) {
      if (!prices.containsKey(m)) {
        throw new CarrotException(what + ": model '" + m + "' has no price; the table has " + prices.keySet());
      }
    }
  }

  /** Reads a {@code models.json} price table. */
  public static PriceTable read(Path file) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new CarrotException("cannot read price table " + file + ": " + e.getMessage(), e);
    }
    return fromJson(root, file.toString());
  }

  /** Parses a price table; {@code where} names its source in errors. */
  public static PriceTable fromJson(JsonNode root, String where) {
    if (root == null || !root.isObject()) {
      throw new CarrotException(where + ": expected a JSON object of model -> {input_per_mtok, output_per_mtok}");
    }
    Map<String, ModelPrice> m = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = root.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      String model = e.getKey();
      JsonNode in = v.get("input_per_mtok");
      JsonNode out = v.get("output_per_mtok");
      if (in == null || !in.isNumber() || out == null || !out.isNumber()) {
        throw new CarrotException(
            where + ": model '" + model + "' needs numeric input_per_mtok and output_per_mtok");
      }
      JsonNode ctx = v.get("context_window");
      long window = 0;
      if (ctx != null && !ctx.isNull()) {
        if (!ctx.isIntegralNumber() || ctx.asLong() < 1) {
          throw new CarrotException(
              where + ": model '" + model + "': context_window = " + ctx + ", expected a whole number of tokens >= 1");
        }
        window = ctx.asLong();
      }
      try {
        m.put(model, new ModelPrice(in.asDouble(), out.asDouble(), v.path("price_source").asText(""), window));
      } catch (CarrotException ex) {
        throw new CarrotException(where + ": model '" + model + "': " + ex.getMessage());
      }
    }
    if (m.isEmpty()) {
      throw new CarrotException(where + ": the price table is empty");
    }
    return new PriceTable(m);
  }

  /** The table in {@code models.json} form. */
  public ObjectNode toJson() {
    ObjectNode root = Json.MAPPER.createObjectNode();
    prices.forEach(
        (k, v) -> {
          ObjectNode o = root.putObject(k);
          o.put("input_per_mtok", v.inputPerMtok());
          o.put("output_per_mtok", v.outputPerMtok());
          if (!v.source().isEmpty()) {
            o.put("price_source", v.source());
          }
          if (v.contextWindow() > 0) {
            o.put("context_window", v.contextWindow());
          }
        });
    return root;
  }
}
