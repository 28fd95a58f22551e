package io.carrot.core.files;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.carrot.core.CarrotException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

/** Reads JSON Lines of objects, gzipped when the file's name ends in {@code .gz}; blank lines are skipped. */
public final class JsonLines {
  private JsonLines() {}

  /** One object line. */
  @FunctionalInterface
  public interface ObjectLine {
    /**
     * @param object the line's object
     * @param lineNo its 1-based line number
     * @param where "{@code <name> line <lineNo>}", to begin error messages with
     */
    void accept(JsonNode object, int lineNo, String where);
  }

  /**
   * Calls {@code each} for every non-blank line of {@code raw} in order.
   *
   * @param name the file's name: it decides gzip and begins error messages
   * @param expected what a line should be, for the error when one is not an object (e.g. "a JSON
   *     object per line")
   * @throws CarrotException naming the file and line when a line is not JSON or not an object
   * @throws IOException when reading fails
   */
  public static void forEachObject(InputStream raw, String name, String expected, ObjectLine each) throws IOException {
    try (InputStream in = name.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      int lineNo = 0;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        String where = name + " line " + lineNo;
        JsonNode node;
        try {
          node = Json.MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
          throw new CarrotException(where + ": malformed JSON: " + e.getOriginalMessage());
        }
        if (!node.isObject()) {
          throw new CarrotException(where + ": expected " + expected);
        }
        each.accept(node, lineNo, where);
      }
    }
  }
}
