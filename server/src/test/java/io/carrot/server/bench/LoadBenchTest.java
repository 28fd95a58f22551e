package io.carrot.server.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.carrot.core.CarrotException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadBenchTest {

  @TempDir Path dir;

  @Test
  void portkeyPhasesGoThroughTheGatewayToTheSameUpstream() throws Exception {
    Set<String> hosts = ConcurrentHashMap.newKeySet();
    AtomicInteger seen = new AtomicInteger();
    HttpServer gateway = fakePortkey(hosts, seen);
    try {
      URI url = URI.create("http://127.0.0.1:" + gateway.getAddress().getPort());
      Path out = dir.resolve("bench.csv");
      var phases = LoadBench.run(new LoadBench.Options(4, 1, 2, 0, List.of(), out, null, url), line -> {});

      assertThat(phases).extracting(LoadBench.Phase::name).containsExactly(
          "direct", "carrot-hash", "carrot-hash-async-log", "portkey",
          "direct-concurrent", "carrot-hash-concurrent", "carrot-hash-async-log-concurrent", "portkey-concurrent");
      assertThat(phases).allSatisfy(p -> assertThat(p.errors()).isZero());
      // warm-up and timed requests of both phases, all sent on to one upstream: the bench's stub
      assertThat(seen).hasValue(2 * (1 + 4));
      assertThat(hosts).singleElement().asString().matches("http://127\\.0\\.0\\.1:\\d+/v1");
      List<String> csv = Files.readAllLines(out);
      // phase, requests, concurrency, ..., errors, reference
      assertThat(csv).anySatisfy(l -> assertThat(l.split(",")).startsWith("portkey", "4", "1")
          .satisfies(f -> assertThat(f[8] + "," + f[9]).isEqualTo("0,direct")));
      assertThat(csv).anySatisfy(l -> assertThat(l.split(",")).startsWith("portkey-concurrent", "4", "2")
          .satisfies(f -> assertThat(f[8] + "," + f[9]).isEqualTo("0,direct-concurrent")));
    } finally {
      gateway.stop(0);
    }
  }

  @Test
  void aGatewayThatFailsCountsAsErrors() throws Exception {
    HttpServer broken = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    broken.createContext("/", x -> {
      x.sendResponseHeaders(502, -1);
      x.close();
    });
    broken.start();
    try {
      URI url = URI.create("http://127.0.0.1:" + broken.getAddress().getPort());
      var phases = LoadBench.run(new LoadBench.Options(3, 0, 1, 0, List.of(), dir.resolve("b.csv"), null, url), line -> {});
      assertThat(phases).filteredOn(p -> p.name().startsWith("portkey")).extracting(LoadBench.Phase::errors)
          .containsExactly(3, 3);
      assertThat(phases).filteredOn(p -> !p.name().startsWith("portkey")).allSatisfy(p -> assertThat(p.errors()).isZero());
    } finally {
      broken.stop(0);
    }
  }

  @Test
  void portkeyMustBeAnHttpUrl() {
    assertThatThrownBy(() -> new LoadBench.Options(1, 0, 1, 0, List.of(), dir.resolve("x.csv"), null, URI.create("ftp://h:1")))
        .isInstanceOf(CarrotException.class)
        .hasMessage("--portkey must be an http://host:port URL of a running gateway, got ftp://h:1");
  }

  /**
   * Forwards {@code POST /v1/chat/completions} to the host in {@code x-portkey-custom-host}, as
   * Portkey's passthrough does; answers 400 without that header or the openai provider.
   */
  private static HttpServer fakePortkey(Set<String> hosts, AtomicInteger seen) throws IOException {
    HttpClient client = HttpClient.newHttpClient();
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    s.createContext("/v1/chat/completions", x -> {
      String host = x.getRequestHeaders().getFirst("x-portkey-custom-host");
      byte[] body = x.getRequestBody().readAllBytes();
      if (host == null || !"openai".equals(x.getRequestHeaders().getFirst("x-portkey-provider"))) {
        x.sendResponseHeaders(400, -1);
        x.close();
        return;
      }
      hosts.add(host);
      seen.incrementAndGet();
      try {
        HttpResponse<byte[]> r = client.send(
            HttpRequest.newBuilder(URI.create(host + "/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(r.statusCode(), r.body().length);
        x.getResponseBody().write(r.body());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        byte[] msg = "interrupted".getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(500, msg.length);
        x.getResponseBody().write(msg);
      }
      x.close();
    });
    s.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    s.start();
    return s;
  }
}
