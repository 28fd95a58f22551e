package io.carrot.collect.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.files.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  @TempDir Path dir;

  private static ObjectNode answer(String id, String model, String text, double cost) {
    ObjectNode o = Json.COMPACT.createObjectNode();
    o.put("type", "answer").put("prompt_id", id).put("model", model).put("prompt_sha", "s1").put("text", text)
        .put("input_tokens", 5).put("output_tokens", 2).put("cost_usd", cost);
    return o;
  }

  @Test
  void recordsSurviveReopeningAndATornLastLineIsCutOff() throws Exception {
    Path f = dir.resolve("cp.jsonl");
    try (Checkpoint cp = Checkpoint.open(f)) {
      cp.append(answer("p1", "m", "hello", 0.25));
      cp.append(answer("p2", "m", "world", 0.5));
    }
    // A process killed mid-write leaves half a record without its newline.
    Files.writeString(f, "{\"v\":1,\"type\":\"answer\",\"prompt_id\":\"p3\",\"mo", StandardOpenOption.APPEND);
    try (Checkpoint cp = Checkpoint.open(f)) {
      assertThat(cp.records()).isEqualTo(2);
      assertThat(cp.spent()).isEqualTo(0.75);
      assertThat(cp.answer("p2", "m", "s1")).get().extracting(Checkpoint.Answer::text).isEqualTo("world");
      assertThat(cp.answer("p2", "m", "changed-prompt")).isEmpty();
      assertThat(cp.answer("p3", "m", "s1")).isEmpty();
      cp.append(answer("p3", "m", "again", 1));
    }
    assertThat(Files.readAllLines(f, StandardCharsets.UTF_8)).hasSize(3).allMatch(l -> l.startsWith("{\"type\":\"answer\""));
    try (Checkpoint cp = Checkpoint.open(f)) {
      assertThat(cp.spent()).isEqualTo(1.75);
    }
  }

  @Test
  void aDamagedLineInTheMiddleIsAnErrorNamingIt() throws Exception {
    Path f = dir.resolve("cp.jsonl");
    Files.writeString(f, "{\"v\":1,\"type\":\"error\",\"prompt_id\":\"p\",\"model\":\"m\",\"error\":\"x\"}\nnot json\n{}\n");
    assertThatThrownBy(() -> Checkpoint.open(f)).hasMessageContaining("cp.jsonl line 2: not a JSON record")
        .hasMessageContaining("rerun with --skip-damaged to keep its good records")
        .hasMessageContaining("move it aside to start over")
        .hasMessageNotContaining("[Source:")
        .hasMessageNotContaining("\n");
  }

  @Test
  void skipDamagedKeepsTheGoodRecordsAndMovesTheDamagedLinesAside() throws Exception {
    Path f = dir.resolve("cp.jsonl");
    try (Checkpoint cp = Checkpoint.open(f)) {
      cp.append(answer("p1", "m", "one", 0.25));
      cp.append(answer("p2", "m", "two", 0.5));
      cp.append(answer("p3", "m", "three", 1.0));
    }
    List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
    String bitRot = lines.get(1).substring(0, 30) + "\u0000\u0000" + lines.get(1).substring(32);
    String badTime = "{\"v\":1,\"type\":\"answer\",\"prompt_id\":\"p4\",\"model\":\"m\",\"time\":\"yesterday\",\"cost_usd\":9}";
    Files.write(f, List.of(lines.get(0), bitRot, badTime, lines.get(2)), StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Checkpoint.open(f)).hasMessageContaining("cp.jsonl line 2: not a JSON record");
    try (Checkpoint cp = Checkpoint.open(f, true)) {
      assertThat(cp.skippedDamaged()).isEqualTo(2);
      assertThat(cp.records()).isEqualTo(2);
      assertThat(cp.spent()).isEqualTo(1.25);
      assertThat(cp.answer("p1", "m", "s1")).isPresent();
      assertThat(cp.answer("p2", "m", "s1")).isEmpty();
      assertThat(cp.answer("p3", "m", "s1")).isPresent();
      cp.append(answer("p2", "m", "two again", 0.5));
    }
    assertThat(Files.readAllLines(dir.resolve("cp.jsonl.damaged"), StandardCharsets.UTF_8)).containsExactly(bitRot, badTime);
    // rewritten without them: a plain open works again and sees the record appended after the rewrite
    try (Checkpoint cp = Checkpoint.open(f)) {
      assertThat(cp.skippedDamaged()).isZero();
      assertThat(cp.records()).isEqualTo(3);
      assertThat(cp.spent()).isEqualTo(1.75);
      assertThat(cp.answer("p2", "m", "s1")).get().extracting(Checkpoint.Answer::text).isEqualTo("two again");
    }
  }
}
