package io.carrot.core.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.core.CarrotException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class JsonLinesTest {
  private static List<String> read(byte[] bytes, String name) throws IOException {
    List<String> seen = new ArrayList<>();
    JsonLines.forEachObject(new ByteArrayInputStream(bytes), name, "an object",
        (o, lineNo, where) -> seen.add(lineNo + " " + where + " " + o.get("a").asInt()));
    return seen;
  }

  @Test
  void blankLinesAreSkippedAndLinesKeepTheirNumbers() throws IOException {
    byte[] text = "{\"a\": 1}\n\n   \n{\"a\": 2}\n".getBytes(StandardCharsets.UTF_8);
    assertThat(read(text, "p.jsonl")).containsExactly("1 p.jsonl line 1 1", "4 p.jsonl line 4 2");
  }

  @Test
  void aGzNameIsGunzipped() throws IOException {
    ByteArrayOutputStream bo = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bo)) {
      gz.write("{\"a\": 7}\n".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(read(bo.toByteArray(), "p.jsonl.gz")).containsExactly("1 p.jsonl.gz line 1 7");
  }

  @Test
  void badLinesNameTheFileAndLine() {
    assertThatThrownBy(() -> read("{\"a\": 1}\n{\"a\": \n".getBytes(StandardCharsets.UTF_8), "p.jsonl"))
        .isInstanceOf(CarrotException.class).hasMessageStartingWith("p.jsonl line 2: malformed JSON: ");
    assertThatThrownBy(() -> read("[1, 2]\n".getBytes(StandardCharsets.UTF_8), "p.jsonl"))
        .isInstanceOf(CarrotException.class).hasMessage("p.jsonl line 1: expected an object");
  }
}
