package io.carrot.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.carrot.server.log.DecisionLog;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server in a child JVM: {@code kill -9} in the middle of a load, while the database is slow,
 * loses no row of an answer the client received whole; after a restart on the same database, a clean stop (SIGTERM) keeps the row
 * of every request.
 */
class CrashTest {
  @TempDir Path dir;

  /** A running child server. */
  record Child(Process process, int port) {}

  Child start(Path config) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(
        java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        ServerProcess.class.getName(), config.toString());
    pb.environment().put("STRONG_KEY", "sk-strong-secret");
    pb.redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("child.log").toFile()));
    Process p = pb.start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("PORT ")) {
        return new Child(p, Integer.parseInt(line.substring(5).trim()));
      }
    }
    throw new IllegalStateException("the child server exited (" + p.waitFor(5, TimeUnit.SECONDS) + "): "
        + Files.readString(dir.resolve("child.log")));
  }

  /** Sends chat completions (every third one streamed) from 8 clients until {@code stop}; collects the ids of whole answers. */
  static void load(HttpClient http, int port, AtomicBoolean stop, Set<String> whole, AtomicInteger sent) {
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int w = 0; w < 8; w++) {
        int worker = w;
        pool.submit(() -> {
          for (int i = 0; !stop.get(); i++) {
            boolean stream = (i + worker) % 3 == 0;
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(Harness.chat("carrot:mu=" + (i % 2), "crash " + worker + " " + i, stream)))
                .build();
            sent.incrementAndGet();
            try {
              HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
              boolean complete = r.statusCode() == 200
                  && (stream ? r.body().endsWith("data: [DONE]\n\n") : StubUpstream.parse(r.body()).path("choices").size() == 1);
              if (complete) {
                whole.add(r.headers().firstValue("x-carrot-request-id").orElseThrow());
              }
            } catch (IOException e) {
              return null;
            }
          }
          return null;
        });
      }
    }
  }

  @Test
  void killMinus9LosesNoRowOfAnAnswerTheClientReceivedAndACleanStopLosesNothing() throws Exception {
    try (StubUpstream stub = new StubUpstream(); HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      // the answer may not wait long for its row when the machine is slow: the test wants the strict guarantee
      Path config = dir.resolve("carrot.yaml");
      Files.writeString(config, Harness.yaml(stub, "log: {path: log.db, durable_wait_ms: 60000}\n", 5000));

      Child first = start(config);
      Set<String> whole = ConcurrentHashMap.newKeySet();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger sent = new AtomicInteger();
      Thread loader = Thread.ofVirtual().start(() -> load(http, first.port(), stop, whole, sent));
      while (whole.size() < 100) {
        Thread.sleep(5);
      }
      // another process holds the database's write lock for 300 ms before the kill: answers sent
      // meanwhile would have rows that are not stored yet, unless each waits for its row
      int before;
      try (Connection lock = DriverManager.getConnection(ServerConfig.sqliteUrl(dir.resolve("log.db")));
          Statement s = lock.createStatement()) {
        s.execute("PRAGMA busy_timeout = 10000");
        s.execute("BEGIN EXCLUSIVE");
        before = whole.size();
        Thread.sleep(300);
        first.process().destroyForcibly();
        assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        s.execute("ROLLBACK");
      }
      stop.set(true);
      loader.join();
      Set<String> beforeKill = Set.copyOf(whole);
      assertThat(sent.get()).as("requests were running when the process was killed").isGreaterThan(beforeKill.size());
      assertThat(beforeKill.size()).isGreaterThanOrEqualTo(before);

      // restart on the same database, then stop cleanly
      Child second = start(config);
      Set<String> answered = new HashSet<>();
      for (int i = 0; i < 20; i++) {
        String body = i % 5 == 4 ? "{\"model\": \"nope\", \"messages\": []}" : Harness.chat("carrot", "after restart " + i, i % 2 == 0);
        HttpResponse<String> r = http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + second.port() + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
        answered.add(r.headers().firstValue("x-carrot-request-id").orElseThrow());
      }
      second.process().destroy();
      assertThat(second.process().waitFor(60, TimeUnit.SECONDS)).isTrue();

      ServerConfig.LogConfig lc = ServerConfig.load(config).log();
      try (DecisionLog log = DecisionLog.open(lc, k -> null)) {
        Set<String> stored = new HashSet<>(LogRows.all(log).stream().map(LogRows.Row::requestId).toList());
        Set<String> missing = new HashSet<>(beforeKill);
        missing.removeAll(stored);
        assertThat(missing).as("rows of answers received whole before kill -9").isEmpty();
        Set<String> missingAfter = new HashSet<>(answered);
        missingAfter.removeAll(stored);
        assertThat(missingAfter).as("rows of requests answered before a clean stop").isEmpty();
        assertThat(List.copyOf(stored)).hasSizeGreaterThanOrEqualTo(beforeKill.size() + answered.size());
      }
    }
  }
}
