package io.carrot.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.carrot.core.files.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * An OpenAI-compatible upstream on a loopback socket, for tests. Its behaviour per upstream model id
 * (the request's {@code model}) is set with {@link #behave}; it records every request and the exact
 * bytes of every stream it sent.
 */
final class StubUpstream implements AutoCloseable {
  enum Behaviour { OK, FAIL_503, FAIL_429, SLOW, BAD_REQUEST, CLOSE_STREAM, SLOW_STREAM }

  /** A received request. */
  record Received(String path, String authorization, ObjectNode body) {}

  static final long PROMPT_TOKENS = 11;
  static final long COMPLETION_TOKENS = 7;

  private final HttpServer server;
  private final Map<String, Behaviour> behaviour = new ConcurrentHashMap<>();
  final List<Received> received = new CopyOnWriteArrayList<>();
  final List<String> streamsSent = new CopyOnWriteArrayList<>();
  /** Upstream model ids whose non-streamed answers carry no {@code usage}. */
  final java.util.Set<String> noUsage = ConcurrentHashMap.newKeySet();
  /** Milliseconds every OK answer waits before it is sent (so that requests overlap). */
  volatile long okDelayMs;

  StubUpstream() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::handle);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** Base URL of an upstream served by this stub. */
  String baseUrl(String name) {
    return "http://127.0.0.1:" + port() + "/" + name + "/v1";
  }

  void behave(String model, Behaviour b) {
    behaviour.put(model, b);
  }

  /** The upstream model ids requested, in order. */
  List<String> models() {
    return received.stream().map(r -> r.body().path("model").asText()).toList();
  }

  static String content(String model) {
    return "answer from " + model;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      ObjectNode body = (ObjectNode) Json.COMPACT.readTree(ex.getRequestBody().readAllBytes());
      received.add(new Received(ex.getRequestURI().getPath(), ex.getRequestHeaders().getFirst("Authorization"), body));
      String model = body.path("model").asText();
      switch (behaviour.getOrDefault(model, Behaviour.OK)) {
        case FAIL_503 -> send(ex, 503, "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}");
        case FAIL_429 -> send(ex, 429, "{\"error\":{\"message\":\"rate limited\",\"type\":\"rate_limit_error\"}}");
        case BAD_REQUEST -> send(ex, 400, "{\"error\":{\"message\":\"temperature too high\",\"type\":\"invalid_request_error\"}}");
        case SLOW -> {
          try {
            Thread.sleep(3000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          send(ex, 200, completion(model).toString());
        }
        case CLOSE_STREAM -> {
          ex.getResponseHeaders().set("Content-Type", "text/event-stream");
          ex.sendResponseHeaders(200, 0);
        }
        case OK, SLOW_STREAM -> {
          if (body.path("stream").asBoolean(false)) {
            stream(ex, model, body.path("stream_options").path("include_usage").asBoolean(false),
                behaviour.get(model) == Behaviour.SLOW_STREAM ? 300 : 0);
          } else {
            ex.getResponseHeaders().set("x-request-id", "stub-" + received.size());
            ObjectNode answer = completion(model);
            if (noUsage.contains(model)) {
              answer.remove("usage");
            }
            pause(okDelayMs);
            send(ex, 200, answer.toString());
          }
        }
      }
    }
  }

  private static void pause(long millis) {
    if (millis > 0) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static ObjectNode completion(String model) {
    ObjectNode o = Json.COMPACT.createObjectNode();
    o.put("id", "chatcmpl-" + model).put("object", "chat.completion").put("created", 1700000000L).put("model", model);
    ObjectNode c = o.putArray("choices").addObject();
    c.put("index", 0);
    c.putObject("message").put("role", "assistant").put("content", content(model));
    c.put("finish_reason", "stop");
    o.putObject("usage").put("prompt_tokens", PROMPT_TOKENS).put("completion_tokens", COMPLETION_TOKENS)
        .put("total_tokens", PROMPT_TOKENS + COMPLETION_TOKENS);
    return o;
  }

  private void stream(HttpExchange ex, String model, boolean usage, long pauseMillis) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
    ex.sendResponseHeaders(200, 0);
    ByteArrayOutputStream copy = new ByteArrayOutputStream();
    OutputStream out = ex.getResponseBody();
    String u = usage ? ",\"usage\":null" : "";
    String head = "{\"id\":\"chatcmpl-s-" + model + "\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"" + model + "\",";
    String[] parts = content(model).split(" ");
    for (int i = 0; i < parts.length; i++) {
      String delta = (i == 0 ? "{\"role\":\"assistant\",\"content\":\"" : "{\"content\":\" ") + parts[i] + "\"}";
      event(out, copy, "data: " + head + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":null}]" + u + "}\n\n");
      if (pauseMillis > 0) {
        try {
          Thread.sleep(pauseMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    event(out, copy, "data: " + head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]" + u + "}\n\n");
    if (usage) {
      event(out, copy, "data: " + head + "\"choices\":[],\"usage\":{\"prompt_tokens\":" + PROMPT_TOKENS
          + ",\"completion_tokens\":" + COMPLETION_TOKENS + ",\"total_tokens\":" + (PROMPT_TOKENS + COMPLETION_TOKENS) + "}}\n\n");
    }
    event(out, copy, "data: [DONE]\n\n");
    streamsSent.add(copy.toString(StandardCharsets.UTF_8));
  }

  private static void event(OutputStream out, ByteArrayOutputStream copy, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.write(b);
    out.flush();
    copy.write(b);
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
  }

  static JsonNode parse(String s) throws IOException {
    return Json.COMPACT.readTree(s);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
