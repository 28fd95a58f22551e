package io.carrot.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.files.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scriptable OpenAI-compatible upstream on a raw loopback socket, for fault tests: each request
 * runs the {@link Script} set for its {@code model} (by default a normal answer), which writes bytes
 * as it likes: headers then nothing, some events then a reset, a 401, a late first byte. One request
 * per connection. It records every request and every connection that carrot closed on it while a
 * script was stalling (which is how a test sees that carrot cancelled the upstream call).
 */
final class FaultyUpstream implements AutoCloseable {
  /** What to do with one request. */
  @FunctionalInterface
  interface Script {
    void run(Exchange ex) throws IOException, InterruptedException;
  }

  /** A received request. */
  record Received(String path, String model, ObjectNode body) {}

  /** How long a stall lasts at most, unless carrot closes the connection first. */
  static final int STALL_MS = 20_000;

  private final ServerSocket server;
  private final Map<String, Script> scripts = new ConcurrentHashMap<>();
  final List<Received> received = new CopyOnWriteArrayList<>();
  /** Models whose stalled connection carrot closed. */
  final List<String> closedByCarrot = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  FaultyUpstream() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = Thread.ofVirtual().start(this::accept);
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  void script(String model, Script s) {
    scripts.put(model, s);
  }

  List<String> models() {
    return received.stream().map(Received::model).toList();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread.ofVirtual().start(() -> serve(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      String head = readHead(in);
      String path = head.lines().findFirst().orElse("").split(" ")[1];
      int length = 0;
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).strip());
        }
      }
      ObjectNode body = (ObjectNode) Json.COMPACT.readTree(in.readNBytes(length));
      String model = body.path("model").asText();
      received.add(new Received(path, model, body));
      Exchange ex = new Exchange(s, path, model, body);
      scripts.getOrDefault(model, FaultyUpstream::answer).run(ex);
      s.getOutputStream().flush();
    } catch (IOException | InterruptedException | RuntimeException e) {
      // the test's own scripts decide what a broken connection means
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      b.write(c);
      byte[] a = b.toByteArray();
      int n = a.length;
      if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') {
        break;
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  /** A complete chat completion with usage {@code usage} (raw JSON, may be odd). */
  static Script answerWithUsage(String usage) {
    return ex -> ex.json(200, "{\"id\":\"chatcmpl-f\",\"object\":\"chat.completion\",\"model\":\"" + ex.model
        + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + content(ex.model)
        + "\"},\"finish_reason\":\"stop\"}]" + (usage == null ? "" : ",\"usage\":" + usage) + "}");
  }

  static String content(String model) {
    return "answer from " + model;
  }

  /**
   * The default: a normal answer of the API the path names, streamed when asked. Chat usage 11 / 7;
   * responses usage 9 / 4; embeddings usage 5.
   */
  static void answer(Exchange ex) throws IOException, InterruptedException {
    if (ex.path.endsWith("/embeddings")) {
      ex.json(200, "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.6,0.8]}],"
          + "\"model\":\"" + ex.model + "\",\"usage\":{\"prompt_tokens\":5,\"total_tokens\":5}}");
      return;
    }
    if (ex.path.endsWith("/responses")) {
      respond(ex);
      return;
    }
    if (!ex.body.path("stream").asBoolean(false)) {
      answerWithUsage("{\"prompt_tokens\":11,\"completion_tokens\":7,\"total_tokens\":18}").run(ex);
      return;
    }
    ex.streamHead();
    for (String word : content(ex.model).split(" ")) {
      ex.event(ex.chunk(word + " "));
    }
    ex.event("[DONE]");
  }

  static final String RESPONSES_USAGE = "{\"input_tokens\":9,\"output_tokens\":4,\"total_tokens\":13}";

  /** A Responses API answer, streamed as its typed events when asked. */
  static void respond(Exchange ex) throws IOException {
    String text = content(ex.model);
    String done = "{\"id\":\"resp_1\",\"object\":\"response\",\"model\":\"" + ex.model + "\",\"status\":\"completed\","
        + "\"output\":[{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\""
        + text + "\"}]}],\"usage\":" + RESPONSES_USAGE + "}";
    if (!ex.body.path("stream").asBoolean(false)) {
      ex.json(200, done);
      return;
    }
    ex.streamHead();
    ex.write("event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\"}}\n\n");
    for (String word : text.split(" ")) {
      ex.write("event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"" + word + " \"}\n\n");
    }
    ex.write("event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":" + done + "}\n\n");
  }

  /** One connection's response side. */
  final class Exchange {
    final Socket socket;
    final String path;
    final String model;
    final ObjectNode body;
    private final OutputStream out;

    Exchange(Socket socket, String path, String model, ObjectNode body) throws IOException {
      this.socket = socket;
      this.path = path;
      this.model = model;
      this.body = body;
      this.out = socket.getOutputStream();
    }

    void write(String s) throws IOException {
      out.write(s.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    /** A complete response with a Content-Length and extra header lines ({@code "Retry-After: 3"}). */
    void json(int status, String body, String... headers) throws IOException {
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      StringBuilder h = new StringBuilder("HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\nConnection: close\r\n");
      for (String x : headers) {
        h.append(x).append("\r\n");
      }
      write(h + "Content-Length: " + b.length + "\r\n\r\n");
      out.write(b);
      out.flush();
    }

    /** Headers of a non-streamed 200 whose body never comes. */
    void jsonHead(int length) throws IOException {
      write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " + length + "\r\n\r\n");
    }

    /** Headers of an event stream that ends when the connection closes. */
    void streamHead() throws IOException {
      write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n");
    }

    String chunk(String text) {
      return "{\"id\":\"chatcmpl-f\",\"object\":\"chat.completion.chunk\",\"model\":\"" + model
          + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text + "\"},\"finish_reason\":null}]}";
    }

    void event(String data) throws IOException {
      write("data: " + data + "\n\n");
    }

    /** Sends nothing until carrot closes the connection (recorded) or {@link #STALL_MS} passes. */
    void stall() throws IOException {
      socket.setSoTimeout(STALL_MS);
      try {
        if (socket.getInputStream().read() < 0) {
          throw new IOException("closed");
        }
      } catch (SocketTimeoutException e) {
        return;
      } catch (IOException e) {
        closedByCarrot.add(model);
      }
    }

    /** Resets the connection (RST, not a clean close). */
    void reset() throws IOException {
      socket.setSoLinger(true, 0);
      socket.close();
    }

    static void sleep(long ms) throws InterruptedException {
      Thread.sleep(ms);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    acceptor.interrupt();
  }
}
