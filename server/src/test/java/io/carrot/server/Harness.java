package io.carrot.server;

import io.carrot.api.CarrotRouter;
import io.carrot.core.files.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A carrot server on a loopback port in front of a {@link StubUpstream}, with the tiny router of
 * {@link TestRouters}. Upstreams: strong, mid, cheap (router models, upstream ids strong-v1 ...) and
 * solo (passthrough only, priced 1 / 2 USD per million tokens).
 */
final class Harness implements AutoCloseable {
  final StubUpstream stub;
  final Path dir;
  final String yaml;
  final Clock clock;
  final Map<String, String> env;
  final CarrotRouter router;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  CarrotServer server;

  private Harness(StubUpstream stub, Path dir, String yaml, Clock clock, Map<String, String> env, CarrotRouter router) {
    this.stub = stub;
    this.dir = dir;
    this.yaml = yaml;
    this.clock = clock;
    this.env = env;
    this.router = router;
    this.server = startServer();
  }

  /** {@code extra} is appended to the YAML (clients, budget_policy, timeouts, ...). */
  static Harness start(Path dir, String extra) throws IOException {
    return start(dir, extra, Clock.systemUTC());
  }

  static Harness start(Path dir, String extra, Clock clock) throws IOException {
    return start(dir, extra, clock, 5000);
  }

  /** With {@code firstByteMs} as the upstream time-out. */
  static Harness start(Path dir, String extra, Clock clock, int firstByteMs) throws IOException {
    return start(dir, extra, clock, firstByteMs, Map.of());
  }

  /** With more environment variables than the strong upstream's key. */
  static Harness start(Path dir, String extra, Clock clock, int firstByteMs, Map<String, String> env) throws IOException {
    StubUpstream stub = new StubUpstream();
    String yaml = yaml(stub, extra, firstByteMs);
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("STRONG_KEY", "sk-strong-secret");
    return new Harness(stub, dir, yaml, clock, all, TestRouters.tiny());
  }

  /** With another router than the tiny one, and the config YAML passed through {@code editYaml}. */
  static Harness start(Path dir, String extra, CarrotRouter router, UnaryOperator<String> editYaml) throws IOException {
    StubUpstream stub = new StubUpstream();
    return new Harness(stub, dir, editYaml.apply(yaml(stub, extra, 5000)), Clock.systemUTC(), Map.of("STRONG_KEY", "sk-strong-secret"), router);
  }

  static String yaml(StubUpstream stub, String extra, int firstByteMs) {
    return """
        default_mu: 0.2
        listen: {port: 0}
        timeouts: {connect_ms: 2000, first_byte_ms: %d}
        upstreams:
          strong: {base_url: "%s", model: strong-v1, api_key_env: STRONG_KEY}
          mid: {base_url: "%s", model: mid-v1}
          cheap: {base_url: "%s", model: cheap-v1}
          solo: {base_url: "%s", model: solo-v1, price: {input_per_mtok: 1, output_per_mtok: 2}}
        %s""".formatted(
            firstByteMs,
            stub.baseUrl("strong"), stub.baseUrl("mid"), stub.baseUrl("cheap"), stub.baseUrl("solo"),
            extra.startsWith("log:") || extra.contains("\nlog:") ? "" : "log: {path: log.db, store_prompts: true}\n")
        + extra;
  }

  private CarrotServer startServer() {
    ServerConfig config = ServerConfig.parse(yaml, "test.yaml", dir);
    return CarrotServer.start(config, router, env::get, clock);
  }

  /** Stops the server (storing its log) and starts a new one on the same config and database. */
  void restart() {
    server.close();
    server = startServer();
  }

  String base() {
    return "http://127.0.0.1:" + server.port();
  }

  HttpResponse<String> post(String path, String json, String key) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path, String key) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30)).GET();
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A chat completion body with one user message. */
  static String chat(String model, String prompt, boolean stream) {
    var o = Json.COMPACT.createObjectNode();
    o.put("model", model);
    o.putArray("messages").addObject().put("role", "user").put("content", prompt);
    if (stream) {
      o.put("stream", true);
    }
    return o.toString();
  }

  @Override
  public void close() {
    server.close();
    stub.close();
    http.close();
  }
}
