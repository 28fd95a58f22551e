package io.carrot.core.files;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.carrot.core.CarrotException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The project's one CSV writer: a header and rows of cells, written with RFC 4180 quoting (a cell
 * holding a comma, a quote or a line break is quoted, quotes doubled) by jackson-dataformat-csv,
 * so a model name such as {@code acme, "large"} cannot shift a column. Callers format numbers
 * themselves ({@link java.util.Locale#ROOT}); a null cell is written empty.
 */
public final class CsvTable {
  private static final CsvMapper MAPPER = new CsvMapper();

  private final List<String> header;
  private final List<String[]> rows = new ArrayList<>();

  /** A table with these column names. */
  public CsvTable(String... header) {
    if (header.length == 0) {
      throw new IllegalArgumentException("a CSV table needs at least one column");
    }
    this.header = List.of(header);
  }

  /** Appends one row; {@code cells} are written with {@link String#valueOf}, null as empty. */
  public CsvTable row(Object... cells) {
    if (cells.length != header.size()) {
      throw new IllegalArgumentException(
          "CSV row has " + cells.length + " cells, the header " + header + " has " + header.size());
    }
    String[] r = new String[cells.length];
    for (int i = 0; i < cells.length; i++) {
      r[i] = cells[i] == null ? "" : String.valueOf(cells[i]);
    }
    rows.add(r);
    return this;
  }

  /** Rows so far, header not counted. */
  public int size() {
    return rows.size();
  }

  /** The whole table, header first, each line ending in {@code \n}. */
  @Override
  public String toString() {
    CsvSchema schema = CsvSchema.emptySchema().withLineSeparator("\n");
    List<String[]> all = new ArrayList<>(rows.size() + 1);
    all.add(header.toArray(String[]::new));
    all.addAll(rows);
    try {
      return MAPPER.writer(schema).writeValueAsString(all);
    } catch (JsonProcessingException e) {
      throw new CarrotException("cannot write CSV: " + e.getOriginalMessage(), e);
    }
  }

  /** Writes the table to {@code file} atomically. */
  public void write(Path file) {
    AtomicFiles.writeString(file, toString());
  }
}
