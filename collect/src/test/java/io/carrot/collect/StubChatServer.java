package io.carrot.collect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.carrot.core.files.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible chat completions server on a loopback port for tests. A {@link Behavior}
 * decides each answer from the model, the user message and how many times that exact request was
 * seen. It counts requests and paid (HTTP 200) answers per (model, user message), so tests can
 * check that nothing was paid twice. Usage: prompt tokens = words of the user message, completion
 * tokens = words of the answer.
 */
public final class StubChatServer implements AutoCloseable {
  /** What to answer. */
  public record Reply(int status, String text, String retryAfter) {
    public static Reply ok(String text) {
      return new Reply(200, text, null);
    }

    public static Reply error(int status) {
      return new Reply(status, null, null);
    }
  }

  @FunctionalInterface
  public interface Behavior {
    /** @param attempt 1 for the first time this (model, message) is asked, 2 for the second, ... */
    Reply reply(String model, String userMessage, int attempt);
  }

  private final HttpServer server;
  private final ExecutorService pool = Executors.newFixedThreadPool(16);
  private final Behavior behavior;
  private final long delayMillis;
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> paid = new ConcurrentHashMap<>();
  private final AtomicInteger paidTotal = new AtomicInteger();

  public StubChatServer(Behavior behavior, long delayMillis) throws IOException {
    this.behavior = behavior;
    this.delayMillis = delayMillis;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/chat/completions", this::handle);
    server.setExecutor(pool);
    server.start();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private static String key(String model, String message) {
    return model + "\u0000" + message;
  }

  /** HTTP 200 answers for this model and user message. */
  public int paid(String model, String message) {
    AtomicInteger n = paid.get(key(model, message));
    return n == null ? 0 : n.get();
  }

  /** Requests of any outcome for this model and user message. */
  public int requests(String model, String message) {
    AtomicInteger n = requests.get(key(model, message));
    return n == null ? 0 : n.get();
  }

  public int paidTotal() {
    return paidTotal.get();
  }

  /** Every (model, message) key with its paid count. */
  public Map<String, Integer> paidByKey() {
    Map<String, Integer> out = new java.util.TreeMap<>();
    paid.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      JsonNode req = Json.COMPACT.readTree(ex.getRequestBody().readAllBytes());
      String model = req.path("model").asText();
      JsonNode msgs = req.path("messages");
      String user = msgs.get(msgs.size() - 1).path("content").asText();
      int attempt = requests.computeIfAbsent(key(model, user), k -> new AtomicInteger()).incrementAndGet();
      Reply r = behavior.reply(model, user, attempt);
      if (delayMillis > 0) {
        Thread.sleep(delayMillis);
      }
      if (r.status() != 200) {
        if (r.retryAfter() != null) {
          ex.getResponseHeaders().add("Retry-After", r.retryAfter());
        }
        send(ex, r.status(), "{\"error\":{\"message\":\"stub says " + r.status() + "\"}}");
        return;
      }
      ObjectNode o = Json.COMPACT.createObjectNode();
      o.put("id", "stub");
      o.put("object", "chat.completion");
      ObjectNode choice = o.putArray("choices").addObject();
      choice.put("index", 0);
      choice.putObject("message").put("role", "assistant").put("content", r.text());
      choice.put("finish_reason", "stop");
      o.putObject("usage").put("prompt_tokens", words(user)).put("completion_tokens", words(r.text()));
      byte[] body = Json.COMPACT.writeValueAsBytes(o);
      // Count as paid before sending: a client killed mid-response has still been billed.
      paid.computeIfAbsent(key(model, user), k -> new AtomicInteger()).incrementAndGet();
      paidTotal.incrementAndGet();
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      // The client went away (killed): nothing to answer.
    }
  }

  public static int words(String s) {
    String t = s.strip();
    return t.isEmpty() ? 0 : t.split("\\s+").length;
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
