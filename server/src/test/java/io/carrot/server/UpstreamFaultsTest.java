package io.carrot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.carrot.embed.Cl100kTokenCounter;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The faults real upstreams have, on real sockets against {@link FaultyUpstream}: stalls before and
 * after the headers and after an event, resets, clean closes without {@code [DONE]}, refused and
 * mistaken keys, rate limits with Retry-After, odd usage, and clients that leave.
 */
class UpstreamFaultsTest {
  static final String PROMPT = "What is the capital of France?";
  static final Cl100kTokenCounter TOKENS = new Cl100kTokenCounter();
  static final long T = TOKENS.count(PROMPT);
  /** Generous for a busy machine, short enough to keep the tests quick. */
  static final String TIMEOUTS = "timeouts: {connect_ms: 2000, first_byte_ms: 3000, idle_ms: 1500, total_ms: 15000}";

  @TempDir Path dir;
  FaultyUpstream up;
  Harness h;

  @BeforeEach
  void start() throws Exception {
    up = new FaultyUpstream();
    h = Harness.start(dir, "", TestRouters.tiny(), y -> y
        .replaceAll("http://127\\.0\\.0\\.1:\\d+/[a-z]+/v1", up.baseUrl() + "/v1")
        .replaceFirst("timeouts: \\{[^}]*\\}", TIMEOUTS));
  }

  @AfterEach
  void stop() throws Exception {
    h.close();
    up.close();
  }

  private HttpResponse<String> chat(String model, boolean stream) throws Exception {
    return h.post("/v1/chat/completions", Harness.chat(model, PROMPT, stream), null);
  }

  private LogRows.Row onlyRow() {
    List<LogRows.Row> rows = LogRows.all(h.server.log());
    assertThat(rows).hasSize(1);
    return rows.get(0);
  }

  @Test
  void aLateFirstByteFallsBack() throws Exception {
    up.script("strong-v1", ex -> ex.stall());
    HttpResponse<String> r = chat("carrot:mu=0", false);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-carrot-model")).hasValue("mid");
    assertThat(up.models()).containsExactly("strong-v1", "mid-v1");
    assertThat(onlyRow().attemptsJson()).contains("\"model\":\"strong\"", "\"outcome\":\"timeout\"");
  }

  @Test
  void headersThenNothingFallsBackStreamedOrNot() throws Exception {
    up.script("strong-v1", ex -> {
      ex.jsonHead(500);
      ex.stall();
    });
    HttpResponse<String> r = chat("carrot:mu=0", false);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-carrot-model")).hasValue("mid");
    assertThat(StubUpstream.parse(r.body()).path("choices").get(0).path("message").path("content").asText())
        .isEqualTo("answer from mid-v1");

    up.script("strong-v1", ex -> {
      ex.streamHead();
      ex.stall();
    });
    HttpResponse<String> s = chat("carrot:mu=0", true);
    assertThat(s.statusCode()).isEqualTo(200);
    assertThat(s.headers().firstValue("x-carrot-model")).hasValue("mid");
    assertThat(s.body()).endsWith("data: [DONE]\n\n").doesNotContain("strong");
    // carrot closed both stalled connections itself
    awaitClosed(2);
    assertThat(up.closedByCarrot).containsExactly("strong-v1", "strong-v1");
    assertThat(h.server.metrics().render()).contains("carrot_fallbacks_total{model=\"strong\",reason=\"timeout\"} 2");
  }

  @Test
  void aStallAfterTheFirstEventEndsTheStreamWithAnErrorAndChargesWhatWasDelivered() throws Exception {
    up.script("strong-v1", ex -> {
      ex.streamHead();
      ex.event(ex.chunk("Paris "));
      ex.stall();
    });
    HttpResponse<String> r = chat("carrot:mu=0", true);
    assertThat(r.statusCode()).isEqualTo(200);
    List<String> events = events(r.body());
    assertThat(events).hasSize(2);
    assertThat(events.get(0)).contains("\"content\":\"Paris \"");
    JsonNode error = StubUpstream.parse(events.get(1)).path("error");
    assertThat(error.path("type").asText()).isEqualTo("upstream_error");
    assertThat(error.path("code").asText()).isEqualTo("upstream_timeout");
    assertThat(r.body()).doesNotContain("[DONE]");
    // no fallback once a byte has reached the client
    assertThat(up.models()).containsExactly("strong-v1");
    LogRows.Row row = onlyRow();
    assertThat(row.status()).isEqualTo(504);
    assertThat(row.error()).contains("stalled", "idle_ms");
    // strong costs 10 / 40 USD per million tokens: the prompt and the one word delivered
    assertThat(row.chargedUsd()).isCloseTo((10.0 * T + 40.0 * TOKENS.count("Paris ")) / 1e6, within(1e-15));
    assertThat(h.server.budgets().spent("anonymous")).isCloseTo(row.chargedUsd(), within(1e-15));
    assertThat(deliveredAndReason()).isEqualTo(TOKENS.count("Paris ") + " upstream_stalled");
  }

  @Test
  void aResetMidStreamEndsWithAnErrorEventNotDone() throws Exception {
    up.script("strong-v1", ex -> {
      ex.streamHead();
      ex.event(ex.chunk("one "));
      ex.event(ex.chunk("two "));
      ex.event(ex.chunk("three "));
      // a reset discards what the peer has not read yet: give carrot the time to read the events
      FaultyUpstream.Exchange.sleep(500);
      ex.reset();
    });
    HttpResponse<String> r = chat("carrot:mu=0", true);
    List<String> events = events(r.body());
    assertThat(events).hasSize(4);
    assertThat(events.get(2)).contains("\"content\":\"three \"");
    assertThat(StubUpstream.parse(events.get(3)).path("error").path("code").asText()).isEqualTo("upstream_stream_broken");
    assertThat(r.body()).doesNotContain("[DONE]");
    LogRows.Row row = onlyRow();
    assertThat(row.status()).isEqualTo(502);
    assertThat(row.error()).contains("broke the stream");
    assertThat(deliveredAndReason()).isEqualTo(TOKENS.count("one two three ") + " stream_broken");
    assertThat(row.chargedUsd()).isCloseTo((10.0 * T + 40.0 * TOKENS.count("one two three ")) / 1e6, within(1e-15));
  }

  @Test
  void aCleanCloseWithoutDoneIsABrokenStreamToo() throws Exception {
    up.script("strong-v1", ex -> {
      ex.streamHead();
      ex.event(ex.chunk("half"));
    });
    HttpResponse<String> r = chat("carrot:mu=0", true);
    List<String> events = events(r.body());
    assertThat(events).hasSize(2);
    assertThat(StubUpstream.parse(events.get(1)).path("error").path("code").asText()).isEqualTo("upstream_stream_broken");
    assertThat(onlyRow().status()).isEqualTo(502);
  }

  @Test
  void aWrongUpstreamKeyIs502UpstreamAuthFailedWithoutItsMessageAndFallsBack() throws Exception {
    String secret = "{\"error\":{\"message\":\"Incorrect API key provided: sk-stro****cret\",\"type\":\"invalid_request_error\"}}";
    up.script("strong-v1", ex -> ex.json(401, secret));
    up.script("solo-v1", ex -> ex.json(403, secret));
    HttpResponse<String> routed = chat("carrot:mu=0", false);
    assertThat(routed.statusCode()).isEqualTo(200);
    assertThat(routed.headers().firstValue("x-carrot-model")).hasValue("mid");

    HttpResponse<String> r = chat("solo", false);
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).doesNotContain("Incorrect", "sk-");
    JsonNode e = StubUpstream.parse(r.body()).path("error");
    assertThat(e.path("code").asText()).isEqualTo("upstream_auth_failed");
    assertThat(e.path("attempts").toString()).isEqualTo("[{\"model\":\"solo\",\"status\":403,\"reason\":\"upstream_auth\"}]");
  }

  @Test
  void a502ListsAttemptsWithoutUpstreamBodiesAndPassesTheShortestRetryAfter() throws Exception {
    up.script("strong-v1", ex -> ex.json(429, "{\"error\":{\"message\":\"secret quota text\"}}", "Retry-After: 7"));
    up.script("mid-v1", ex -> ex.json(503, "{\"error\":{\"message\":\"secret overload text\"}}", "retry-after-ms: 2500"));
    up.script("cheap-v1", ex -> ex.json(500, "oops", "Retry-After: Wed, 21 Oct 2099 07:28:00 GMT"));
    HttpResponse<String> r = chat("carrot:mu=0", false);
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).doesNotContain("secret", "oops");
    assertThat(r.headers().firstValue("retry-after")).hasValue("3");
    JsonNode e = StubUpstream.parse(r.body()).path("error");
    assertThat(e.path("code").asText()).isEqualTo("upstream_failed");
    assertThat(e.path("attempts").toString()).isEqualTo(
        "[{\"model\":\"strong\",\"status\":429,\"reason\":\"http_429\"},{\"model\":\"mid\",\"status\":503,\"reason\":\"http_5xx\"},"
            + "{\"model\":\"cheap\",\"status\":500,\"reason\":\"http_5xx\"}]");
  }

  @Test
  void aRefusedConnectionFallsBack() throws Exception {
    int dead;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      dead = free.getLocalPort();
    }
    h.close();
    h = Harness.start(dir, "", TestRouters.tiny(), y -> y
        .replaceFirst("http://127\\.0\\.0\\.1:\\d+/strong/v1", "http://127.0.0.1:" + dead + "/v1")
        .replaceAll("http://127\\.0\\.0\\.1:\\d+/[a-z]+/v1", up.baseUrl() + "/v1")
        .replaceFirst("timeouts: \\{[^}]*\\}", TIMEOUTS));
    HttpResponse<String> r = chat("carrot:mu=0", false);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-carrot-model")).hasValue("mid");
    assertThat(onlyRow().attemptsJson()).contains("\"model\":\"strong\"", "\"outcome\":\"connect\"");
  }

  @Test
  void aResetBeforeTheHeadersFallsBack() throws Exception {
    up.script("strong-v1", ex -> ex.reset());
    HttpResponse<String> r = chat("carrot:mu=0", true);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-carrot-model")).hasValue("mid");
    assertThat(r.body()).endsWith("data: [DONE]\n\n");
  }

  @Test
  void oddUsageNeverSpoilsAGoodAnswer() throws Exception {
    String[] odd = {
      "{\"prompt_tokens\":-5,\"completion_tokens\":-1}", "{\"prompt_tokens\":1e300,\"completion_tokens\":99999999999999}",
      "{\"prompt_tokens\":\"11\",\"completion_tokens\":[7]}", "{\"prompt_tokens\":2.5}", "\"none\"", "null", null,
      "{\"prompt_tokens\":11,\"completion_tokens\":7,\"total_tokens\":18}"};
    for (String u : odd) {
      up.script("solo-v1", FaultyUpstream.answerWithUsage(u));
      HttpResponse<String> r = chat("solo", false);
      assertThat(r.statusCode()).as(u).isEqualTo(200);
      assertThat(r.body()).contains("answer from solo-v1");
    }
    List<LogRows.Row> rows = LogRows.all(h.server.log());
    assertThat(rows).hasSize(odd.length);
    for (int i = 0; i < odd.length - 1; i++) {
      assertThat(rows.get(i).actualInputTokens()).as(odd[i]).isNull();
      assertThat(rows.get(i).actualOutputTokens()).as(odd[i]).isNull();
      // charged as an answer without usage: the passthrough's input and answer tokens, counted
      assertThat(rows.get(i).chargedUsd()).as(odd[i])
          .isCloseTo((1.0 * T + 2.0 * TOKENS.count(FaultyUpstream.content("solo-v1"))) / 1e6, within(1e-15));
    }
    // solo costs 1 / 2 USD per million tokens
    assertThat(rows.get(odd.length - 1).chargedUsd()).isCloseTo((11 * 1 + 7 * 2) / 1e6, within(1e-15));
  }

  @Test
  void aClientThatLeavesANonStreamedRequestCancelsTheUpstreamCallAndNoFallbackStarts() throws Exception {
    up.script("strong-v1", ex -> ex.stall());
    h.close();
    h = restartWith("timeouts: {connect_ms: 2000, first_byte_ms: 15000, idle_ms: 15000, total_ms: 30000}");
    try (Socket s = send(Harness.chat("carrot:mu=0", PROMPT, false))) {
      awaitRequests(1);
    }
    LogRows.Row row = awaitRow();
    assertThat(row.status()).isEqualTo(499);
    assertThat(row.error()).contains("client closed");
    // the prompt reached strong (10 USD per million input tokens); nothing was delivered
    assertThat(row.chargedUsd()).as(row.toString()).isCloseTo(10.0 * T / 1e6, within(1e-15));
    awaitClosed(1);
    assertThat(up.closedByCarrot).containsExactly("strong-v1");
    assertThat(up.models()).containsExactly("strong-v1");
  }

  @Test
  void aClientThatLeavesAStalledStreamCancelsTheUpstreamCall() throws Exception {
    up.script("strong-v1", ex -> {
      ex.streamHead();
      ex.event(ex.chunk("Paris "));
      ex.stall();
    });
    h.close();
    h = restartWith("timeouts: {connect_ms: 2000, first_byte_ms: 15000, idle_ms: 15000, total_ms: 30000}");
    try (Socket s = send(Harness.chat("carrot:mu=0", PROMPT, true))) {
      InputStream in = s.getInputStream();
      String got = "";
      while (!got.contains("Paris")) {
        byte[] b = new byte[4096];
        int n = in.read(b);
        assertThat(n).isPositive();
        got += new String(b, 0, n, StandardCharsets.UTF_8);
      }
    }
    LogRows.Row row = awaitRow();
    assertThat(row.status()).isEqualTo(499);
    awaitClosed(1);
    assertThat(up.closedByCarrot).containsExactly("strong-v1");
    assertThat(up.models()).containsExactly("strong-v1");
    assertThat(row.chargedUsd()).isCloseTo((10.0 * T + 40.0 * TOKENS.count("Paris ")) / 1e6, within(1e-15));
  }

  private Harness restartWith(String timeouts) throws Exception {
    return Harness.start(dir, "", TestRouters.tiny(), y -> y
        .replaceAll("http://127\\.0\\.0\\.1:\\d+/[a-z]+/v1", up.baseUrl() + "/v1")
        .replaceFirst("timeouts: \\{[^}]*\\}", timeouts));
  }

  /** The one row's delivered output tokens and failure reason. */
  private String deliveredAndReason() {
    return h.server.log().query(c -> {
      try (var st = c.createStatement();
          var r = st.executeQuery("SELECT delivered_output_tokens, failure_reason FROM requests")) {
        r.next();
        return r.getLong(1) + " " + r.getString(2);
      }
    });
  }

  /** Sends a chat request on a raw socket and leaves it open. */
  private Socket send(String json) throws Exception {
    Socket s = new Socket("127.0.0.1", h.server.port());
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    OutputStream o = s.getOutputStream();
    o.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    o.write(body);
    o.flush();
    return s;
  }

  private void awaitRequests(int n) throws InterruptedException {
    for (int i = 0; i < 1500 && up.received.size() < n; i++) {
      Thread.sleep(10);
    }
    assertThat(up.received).hasSize(n);
  }

  /** Waits (15 s at most) until the stub has seen carrot close {@code n} stalled connections. */
  private void awaitClosed(int n) throws InterruptedException {
    for (int i = 0; i < 1500 && up.closedByCarrot.size() < n; i++) {
      Thread.sleep(10);
    }
  }

  /** The one row, once the request has ended (generous bound: 15 s). */
  private LogRows.Row awaitRow() throws InterruptedException {
    for (int i = 0; i < 300; i++) {
      List<LogRows.Row> rows = LogRows.all(h.server.log());
      if (!rows.isEmpty()) {
        return rows.get(0);
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no log row within 15 s");
  }

  /** The data payloads of a server-sent event stream, in order. */
  static List<String> events(String body) {
    return body.lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
  }
}
