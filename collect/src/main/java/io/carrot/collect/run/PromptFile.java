package io.carrot.collect.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.carrot.collect.grade.ExactMatch;
import io.carrot.core.CarrotException;
import io.carrot.core.files.JsonLines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the {@code --prompts} file: JSON Lines (optionally gzipped), one object per prompt:
 * {@code {"id": "q1", "prompt": "...", "source": "gsm8k", "reference": "42", "answer_type": "number"}}.
 * Only {@code prompt} is required; {@code id} defaults to {@code p<line>}, {@code answer} is
 * accepted for {@code reference}, and {@code answer_type} (number, choice, text) defaults to what
 * the reference looks like.
 */
public final class PromptFile {
  private PromptFile() {}

  public static List<PromptItem> read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new CarrotException("--prompts " + file + " does not exist; expected a JSONL file with one {\"prompt\": ...} per line");
    }
    String name = file.getFileName().toString();
    List<PromptItem> out = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    try {
      JsonLines.forEachObject(Files.newInputStream(file), name, "a JSON object such as {\"prompt\": \"...\"}", (o, lineNo, where) -> {
        JsonNode p = o.get("prompt");
        if (p == null || !p.isTextual() || p.asText().isEmpty()) {
          throw new CarrotException(where + ": 'prompt' must be a non-empty string");
        }
        String id = o.has("id") ? scalar(o.get("id"), "id", where) : "p" + lineNo;
        JsonNode refNode = o.has("reference") ? o.get("reference") : o.get("answer");
        String ref = refNode == null || refNode.isNull() ? null : scalar(refNode, "reference", where);
        ExactMatch.Kind kind = null;
        if (o.hasNonNull("answer_type")) {
          if (ref == null) {
            throw new CarrotException(where + ": 'answer_type' is set but there is no 'reference'");
          }
          kind = ExactMatch.Kind.parse(o.get("answer_type").asText(), where);
        }
        String source = o.hasNonNull("source") ? scalar(o.get("source"), "source", where) : "";
        Integer prev = seen.put(id, lineNo);
        if (prev != null) {
          throw new CarrotException(where + ": duplicate id '" + id + "' (first on line " + prev + ")");
        }
        out.add(new PromptItem(id, p.asText(), source, ref, kind));
      });
    } catch (IOException e) {
      throw new CarrotException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new CarrotException(name + ": no prompts");
    }
    return out;
  }

  private static String scalar(JsonNode v, String field, String where) {
    if (!v.isValueNode() || v.asText().isBlank()) {
      throw new CarrotException(where + ": '" + field + "' must be a non-empty string or number, got " + v);
    }
    return v.asText();
  }
}
