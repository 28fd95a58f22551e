package io.carrot.core.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTableTest {
  @TempDir Path tmp;

  @Test
  void plainCellsAreWrittenAsIsAndAwkwardOnesQuoted() {
    CsvTable t = new CsvTable("model", "param", "cost")
        .row("single:gpt-4o", "", "0.5")
        .row("acme, \"large\"", null, "-1")
        .row("two\nlines", 3, "#1");
    assertThat(t).hasToString(
        "model,param,cost\n"
            + "single:gpt-4o,,0.5\n"
            + "\"acme, \"\"large\"\"\",,-1\n"
            + "\"two\nlines\",3,\"#1\"\n"); // a leading '#' is quoted too: some readers take it for a comment
    assertThat(t.size()).isEqualTo(3);
  }

  @Test
  void aStandardReaderGetsTheCellsBack() throws Exception {
    Path f = tmp.resolve("t.csv");
    new CsvTable("model", "aiq").row("acme, \"large\"", "0.25").row("x", "1").write(f);
    CsvMapper m = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY);
    try (MappingIterator<List<String>> it = m.readerForListOf(String.class).readValues(Files.readString(f))) {
      assertThat(it.readAll()).containsExactly(List.of("model", "aiq"), List.of("acme, \"large\"", "0.25"), List.of("x", "1"));
    }
  }

  @Test
  void aRowOfTheWrongWidthIsRefused() {
    assertThatThrownBy(() -> new CsvTable("a", "b").row("1"))
        .hasMessage("CSV row has 1 cells, the header [a, b] has 2");
  }
}
