package io.carrot.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stub of OpenAI's chat completions endpoint on a loopback port: answers "answer from MODEL" for
 * the requested model, as JSON or as a server-sent event stream, or HTTP 503 for models marked down.
 */
public final class StubOpenAi implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;
  /** Every request body received, in order. */
  public final List<JsonNode> requests = new CopyOnWriteArrayList<>();
  /** Models answered with HTTP 503. */
  public final Set<String> down = ConcurrentHashMap.newKeySet();

  /** Starts the stub on a free loopback port. */
  public StubOpenAi() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/chat/completions", this::handle);
    server.start();
  }

  /** The OpenAI base URL of the stub ({@code http://127.0.0.1:PORT/v1}). */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  private void handle(HttpExchange ex) throws IOException {
    JsonNode body = JSON.readTree(ex.getRequestBody());
    requests.add(body);
    String model = body.path("model").asText();
    if (down.contains(model)) {
      send(ex, 503, "application/json", "{\"error\":{\"message\":\"" + model + " is overloaded\",\"type\":\"server_error\"}}");
      return;
    }
    String answer = "answer from " + model;
    if (body.path("stream").asBoolean()) {
      StringBuilder sse = new StringBuilder();
      for (String piece : new String[] {"answer ", "from " + model}) {
        sse.append("data: ")
            .append(chunk(model, "{\"role\":\"assistant\",\"content\":" + JSON.writeValueAsString(piece) + "}", "null"))
            .append("\n\n");
      }
      sse.append("data: ").append(chunk(model, "{}", "\"stop\"")).append("\n\n");
      sse.append("data: [DONE]\n\n");
      send(ex, 200, "text/event-stream", sse.toString());
      return;
    }
    send(
        ex,
        200,
        "application/json",
        "{\"id\":\"chatcmpl-" + model + "\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"" + model
            + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + JSON.writeValueAsString(answer)
            + "},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3,\"total_tokens\":8}}");
  }

  private static String chunk(String model, String delta, String finish) {
    return "{\"id\":\"chatcmpl-" + model + "\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"" + model
        + "\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finish + "}]}";
  }

  private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
