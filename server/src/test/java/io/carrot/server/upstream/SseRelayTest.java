package io.carrot.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SseRelayTest {
  static final String STREAM =
      "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}\r\n\r\n"
          + ": keep-alive comment\n\n"
          + "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}\n\n"
          + "data: [DONE]\n\n";

  static SseRelay relay(String s, boolean drop) {
    return new SseRelay(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)), drop);
  }

  /** Counts flushes, to check events are sent as they end. */
  static final class Flushes extends ByteArrayOutputStream {
    int flushes;

    @Override
    public void flush() {
      flushes++;
    }
  }

  @Test
  void copiesEverythingAndReadsUsage() throws IOException {
    SseRelay r = relay(STREAM, false);
    r.readFirst();
    Flushes out = new Flushes();
    r.pump(out);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(STREAM);
    assertThat(out.flushes).isEqualTo(5);
    assertThat(r.completionId()).isEqualTo("c1");
    assertThat(r.promptTokens()).isEqualTo(5);
    assertThat(r.completionTokens()).isEqualTo(2);
    assertThat(r.bytesOut()).isEqualTo(STREAM.length());
  }

  @Test
  void dropsTheUsageEventTheClientDidNotAskFor() throws IOException {
    SseRelay r = relay(STREAM, true);
    r.readFirst();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    r.pump(out);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(
        "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}\r\n\r\n"
            + ": keep-alive comment\n\n"
            + "data: [DONE]\n\n");
    assertThat(r.completionTokens()).isEqualTo(2);
  }

  @Test
  void anEmptyStreamFailsBeforeAnythingIsSent() {
    assertThatThrownBy(() -> relay("", false).readFirst()).hasMessage("the upstream closed the stream before sending anything");
  }

  @Test
  void aClientThatLeavesIsReportedAsSuch() throws IOException {
    SseRelay r = relay(STREAM, false);
    r.readFirst();
    OutputStream broken = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new IOException("Broken pipe");
      }
    };
    assertThatThrownBy(() -> r.pump(broken)).isInstanceOf(SseRelay.ClientGoneException.class);
  }
}
