package io.carrot.collect.imports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.CarrotException;
import io.carrot.core.data.PriceTable;
import io.carrot.core.files.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads {@code --prices}: carrot's models.json ({@code {"model": {"input_per_mtok": x,
 * "output_per_mtok": y}}}) or LLMRouter's LLM file ({@code {"model": {"input_price": x,
 * "output_price": y, ...}}}, USD per million tokens too).
 */
public final class PriceFiles {
  private PriceFiles() {}

  public static PriceTable read(Path file) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new CarrotException("--prices " + file + ": cannot read JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new CarrotException("--prices " + file + ": expected a JSON object of model -> {input_per_mtok, output_per_mtok}");
    }
    ObjectNode carrot = Json.MAPPER.createObjectNode();
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      JsonNode v = e.getValue();
      if (v.has("input_price") && !v.has("input_per_mtok")) {
        ObjectNode o = carrot.putObject(e.getKey());
        o.set("input_per_mtok", v.get("input_price"));
        o.set("output_per_mtok", v.get("output_price"));
        o.put("price_source", "LLMRouter LLM file " + file.getFileName() + " (input_price / output_price, USD per Mtok)");
      } else {
        carrot.set(e.getKey(), v);
        if (v.isObject() && !v.has("price_source")) {
          ((ObjectNode) carrot.get(e.getKey())).put("price_source", "--prices " + file.getFileName());
        }
      }
    }
    return PriceTable.fromJson(carrot, file.toString());
  }
}
