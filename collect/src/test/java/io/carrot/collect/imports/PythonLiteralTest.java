package io.carrot.collect.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PythonLiteralTest {
  @Test
  void unpacksListsOfStringsWithPythonEscapes() {
    assertThat(PythonLiteral.strings("['a\\nb', \"it's\", 'x\\'y', '\\\\', '\\x41\\u00e9\\U0001F600', '\\101']", "t"))
        .containsExactly("a\nb", "it's", "x'y", "\\", "Aé\uD83D\uDE00", "A");
    assertThat(PythonLiteral.strings("[]", "t")).isEmpty();
    assertThat(PythonLiteral.strings(" ['only'] ", "t")).containsExactly("only");
  }

  @Test
  void leavesOtherCellsAsTheyAre() {
    assertThat(PythonLiteral.strings("plain [text]", "t")).containsExactly("plain [text]");
    assertThat(PythonLiteral.strings("[1, 2]", "t")).containsExactly("[1, 2]");
  }

  @Test
  void reportsBrokenLiterals() {
    assertThatThrownBy(() -> PythonLiteral.strings("['open]", "f row 3 prompt"))
        .hasMessage("f row 3 prompt: unterminated string in a Python list literal");
    assertThatThrownBy(() -> PythonLiteral.strings("['a' 'b']", "t")).hasMessageContaining("expected ',' or ']'");
    assertThat(List.of()).isEmpty();
  }
}
