package io.carrot.core.eval;

import io.carrot.core.CarrotException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the sources of a dataset are grouped for leave-one-source-out: each source its own group
 * (the default), grouped by the part of the source before a separator ({@code prefix:SEP}), or by a
 * mapping file (one {@code source = group} per line, {@code #} comments; sources it does not list
 * keep their own name). A prompt without a source is in group {@value #NONE}.
 */
public final class SourceGroups {
  /** The group of prompts without a source. */
  public static final String NONE = "(no source)";

  private final String separator;
  private final Map<String, String> mapping;
  private final String description;

  private SourceGroups(String separator, Map<String, String> mapping, String description) {
    this.separator = separator;
    this.mapping = mapping;
    this.description = description;
  }

  /** Each source is its own group. */
  public static SourceGroups none() {
    return new SourceGroups(null, Map.of(), "one group per source");
  }

  /**
   * Parses {@code prefix:SEP} or the path of a mapping file.
   *
   * @throws CarrotException naming the value when it is neither
   */
  public static SourceGroups parse(String spec) {
    if (spec.startsWith("prefix:")) {
      String sep = spec.substring("prefix:".length());
      if (sep.isEmpty()) {
        throw new CarrotException("--source-groups prefix:SEP needs a separator, e.g. prefix:/ ; got '" + spec + "'");
      }
      return new SourceGroups(sep, Map.of(), "sources grouped by their part before '" + sep + "'");
    }
    Path file = Path.of(spec);
    if (!Files.isRegularFile(file)) {
      throw new CarrotException("--source-groups must be prefix:SEP or a mapping file (source = group per line); '" + spec
          + "' is neither");
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new CarrotException("cannot read --source-groups file " + file + ": " + e.getMessage(), e);
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0 || eq == line.length() - 1) {
        throw new CarrotException("--source-groups file " + file + " line " + (i + 1) + ": expected 'source = group', got '" + line + "'");
      }
      m.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
    }
    return new SourceGroups(null, Map.copyOf(m), "sources grouped by " + file.getFileName());
  }

  /** The group of a prompt's source. */
  public String groupOf(String source) {
    if (source == null || source.isEmpty()) {
      return NONE;
    }
    String mapped = mapping.get(source);
    if (mapped != null) {
      return mapped;
    }
    if (separator != null) {
      int at = source.indexOf(separator);
      return at > 0 ? source.substring(0, at) : source;
    }
    return source;
  }

  /** How the groups were formed, for the report. */
  public String description() {
    return description;
  }
}
