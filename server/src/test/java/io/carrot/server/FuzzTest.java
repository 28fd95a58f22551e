package io.carrot.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.files.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few thousand generated request bodies, malformed and odd-but-valid (mutations of valid
 * requests: wrong types, huge numbers, deep nesting, unicode and NUL, missing and extra fields,
 * streams on and off, broken JSON), against a server on a socket with a stub upstream: no 500, and
 * every 4xx is OpenAI-shaped. Fixed seed, so a failure names a body that reproduces.
 */
class FuzzTest {
  static final int BODIES = 2000;
  static final long SEED = 20261207L;
  static final JsonNodeFactory F = JsonNodeFactory.instance;
  static final String[] PATHS = {"/v1/chat/completions", "/v1/responses", "/v1/embeddings", "/v1/route", "/v1/feedback"};
  static final String[] ODD_STRINGS = {
    "", " ", "\u0000", "carrot\u0000", "\ud83e\udd55 carrot", "\u202e\u0301", "carrot:mu=NaN", "carrot:mu=1e400",
    "carrot:mu=-0", "carrot:budget=-1", "carrot:budget=1e308", "carrot:max-cost=0", "carrot:min-quality=2", "carrot:",
    "carrot:mu=0.5:mu=0.2", "solo", "strong", "gpt-4o", "x".repeat(5000), "user", "system", "assistant", "tool"};

  @TempDir Path dir;

  @Test
  void noGeneratedBodyGetsA500AndEvery4xxIsOpenAiShaped() throws Exception {
    try (Harness h = Harness.start(dir, "max_body_bytes: 200000\n", TestRouters.tiny(),
        y -> y.replace("model: solo-v1,", "model: solo-v1, serves: [chat, responses, embeddings],"))) {
      Random rnd = new Random(SEED);
      List<String[]> requests = new ArrayList<>();
      for (int i = 0; i < BODIES; i++) {
        String path = PATHS[rnd.nextInt(PATHS.length)];
        requests.add(new String[] {path, body(rnd, path)});
      }
      Map<Integer, AtomicInteger> statuses = new TreeMap<>();
      Map<String, String> bad = new ConcurrentHashMap<>();
      try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
        List<Future<Integer>> results = new ArrayList<>();
        for (String[] req : requests) {
          results.add(pool.submit(() -> send(h, req[0], req[1], bad)));
        }
        for (Future<Integer> f : results) {
          statuses.computeIfAbsent(f.get(), s -> new AtomicInteger()).incrementAndGet();
        }
      }
      assertThat(bad).as("requests answered 500 or with a malformed error").isEmpty();
      assertThat(statuses).doesNotContainKey(500);
      // the generator reaches both sides: answers and refusals
      assertThat(statuses.get(200).get()).isGreaterThan(BODIES / 20);
      assertThat(statuses.get(400).get()).isGreaterThan(BODIES / 10);
    }
  }

  private static int send(Harness h, String path, String body, Map<String, String> bad) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create(h.base() + path))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
        .build();
    HttpResponse<String> r = h.http.send(req, HttpResponse.BodyHandlers.ofString());
    int s = r.statusCode();
    if (s >= 500 && s != 502) {
      bad.put(path + " " + body, s + " " + r.body());
    } else if (s >= 400) {
      JsonNode e = Json.COMPACT.readTree(r.body()).path("error");
      if (!e.path("message").isTextual() || !e.path("type").isTextual() || !e.has("param") || !e.has("code")) {
        bad.put(path + " " + body, s + " " + r.body());
      }
    }
    return s;
  }

  /** A valid body for {@code path}, mutated 0 to 3 times, or now and then broken JSON. */
  static String body(Random rnd, String path) {
    ObjectNode o = valid(rnd, path);
    int mutations = rnd.nextInt(4);
    for (int i = 0; i < mutations; i++) {
      mutate(rnd, o, 0);
    }
    String text = o.toString();
    return switch (rnd.nextInt(20)) {
      case 0 -> text.substring(0, rnd.nextInt(text.length()));
      case 1 -> "[".repeat(2000) + "]".repeat(2000);
      case 2 -> "{\"model\":\"carrot\",\"messages\":" + "[".repeat(900) + "]".repeat(900) + "}";
      case 3 -> new String(randomBytes(rnd), StandardCharsets.ISO_8859_1);
      case 4 -> text.replace("\"model\"", "\"model\":1,\"model\"");
      // JSON escapes of unpaired surrogates: valid JSON text whose strings no UTF-8 encoder can write
      case 5 -> text.replace("\"content\":\"", "\"content\":\"\\ud800 ").replace("\"input\":\"", "\"input\":\"\\udc00");
      default -> text;
    };
  }

  static ObjectNode valid(Random rnd, String path) {
    ObjectNode o = F.objectNode();
    o.put("model", rnd.nextBoolean() ? "carrot:mu=" + rnd.nextInt(11) / 10.0 : ODD_STRINGS[rnd.nextInt(ODD_STRINGS.length)]);
    switch (path) {
      case "/v1/chat/completions" -> {
        ArrayNode m = o.putArray("messages");
        m.addObject().put("role", "system").put("content", "Be brief.");
        m.addObject().put("role", "user").put("content", "What is " + rnd.nextInt(100) + " squared?");
        o.put("stream", rnd.nextBoolean());
        if (rnd.nextBoolean()) {
          o.putObject("stream_options").put("include_usage", rnd.nextBoolean());
        }
      }
      case "/v1/responses" -> {
        if (rnd.nextBoolean()) {
          o.put("input", "Name a prime above " + rnd.nextInt(1000));
        } else {
          o.putArray("input").addObject().put("role", "user").putArray("content").addObject()
              .put("type", "input_text").put("text", "Hello");
        }
        o.put("stream", rnd.nextBoolean());
      }
      case "/v1/embeddings" -> o.putArray("input").add("one").add("two");
      case "/v1/route" -> o.put("prompt", "Prove that sqrt(2) is irrational.");
      default -> o.put("request_id", "req_" + rnd.nextInt(1000)).put("score", rnd.nextDouble());
    }
    return o;
  }

  /** Replaces, removes or adds one field somewhere in {@code o}. */
  static void mutate(Random rnd, ObjectNode o, int depth) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    int op = rnd.nextInt(4);
    if (names.isEmpty() || op == 0) {
      o.set(rnd.nextBoolean() ? "extra_" + rnd.nextInt(5) : "temperature", odd(rnd, 0));
      return;
    }
    String name = names.get(rnd.nextInt(names.size()));
    JsonNode child = o.get(name);
    if (op == 1) {
      o.remove(name);
    } else if (op == 2 && depth < 3 && child.isArray() && !child.isEmpty() && child.get(0).isObject()) {
      mutate(rnd, (ObjectNode) child.get(rnd.nextInt(child.size())), depth + 1);
    } else {
      o.set(name, odd(rnd, 0));
    }
  }

  /** A value of a random, often wrong, type. */
  static JsonNode odd(Random rnd, int depth) {
    return switch (rnd.nextInt(12)) {
      case 0 -> F.nullNode();
      case 1 -> F.booleanNode(rnd.nextBoolean());
      case 2 -> F.numberNode(rnd.nextLong());
      case 3 -> F.numberNode(new java.math.BigDecimal("1e400"));
      case 4 -> F.numberNode(-rnd.nextDouble() * 1e308);
      case 5 -> F.textNode(ODD_STRINGS[rnd.nextInt(ODD_STRINGS.length)]);
      case 6 -> F.textNode(new String(Character.toChars(rnd.nextInt(0x10FFFF)))).deepCopy();
      case 7 -> {
        ArrayNode a = F.arrayNode();
        for (int i = rnd.nextInt(3); i > 0 && depth < 4; i--) {
          a.add(odd(rnd, depth + 1));
        }
        yield a;
      }
      case 8 -> {
        ObjectNode x = F.objectNode();
        x.put("role", ODD_STRINGS[rnd.nextInt(ODD_STRINGS.length)]);
        x.set("content", depth < 4 ? odd(rnd, depth + 1) : F.textNode("hi"));
        yield F.arrayNode().add(x);
      }
      case 9 -> {
        JsonNode n = F.textNode("deep");
        for (int i = 0; i < 200; i++) {
          n = F.arrayNode().add(n);
        }
        yield n;
      }
      case 10 -> F.textNode("\u0000\ud800 lone surrogate");
      default -> F.objectNode().put("include_usage", "yes");
    };
  }

  static byte[] randomBytes(Random rnd) {
    byte[] b = new byte[1 + rnd.nextInt(64)];
    rnd.nextBytes(b);
    return b;
  }
}
