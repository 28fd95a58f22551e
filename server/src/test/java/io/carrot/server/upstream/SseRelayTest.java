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
    return new SseRelay(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)), Api.CHAT, drop);
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
    assertThat(r.usage()).isEqualTo(new Usage(5L, 2L));
    assertThat(r.deliveredText()).isEqualTo("Hi");
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
    assertThat(r.usage().outputTokens()).isEqualTo(2);
  }

  @Test
  void aStreamWithoutItsEndMarkerOrCutMidLineIsBrokenAndOnlyWholeLinesAreSent() throws IOException {
    String cut = "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: {\"id\":\"c1\",\"cho";
    for (String s : new String[] {cut, STREAM.replace("data: [DONE]\n\n", "")}) {
      SseRelay r = relay(s, false);
      r.readFirst();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThatThrownBy(() -> r.pump(out)).isInstanceOf(SseRelay.UpstreamBrokenException.class);
      assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("\"cho\n").endsWith("\n\n");
      assertThat(r.deliveredText()).isEqualTo("Hi");
      r.writeError(out, "broken", "upstream_stream_broken");
      assertThat(out.toString(StandardCharsets.UTF_8)).endsWith(
          "\n\ndata: {\"error\":{\"message\":\"broken\",\"type\":\"upstream_error\",\"param\":null,\"code\":\"upstream_stream_broken\"}}\n\n");
    }
  }

  @Test
  void readsResponsesApiEvents() throws IOException {
    String s = "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\"}}\n\n"
        + "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"Paris\"}\n\n"
        + "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\","
        + "\"usage\":{\"input_tokens\":9,\"output_tokens\":-3}}}\n\n";
    SseRelay r = new SseRelay(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)), Api.RESPONSES, true);
    r.readFirst();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    r.pump(out);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(s);
    assertThat(r.completionId()).isEqualTo("resp_1");
    assertThat(r.deliveredText()).isEqualTo("Paris");
    // a negative count is not believed
    assertThat(r.usage()).isEqualTo(new Usage(9L, null));
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
