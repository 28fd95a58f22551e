package io.carrot.collect.run;

import io.carrot.collect.StubChatServer;
import io.carrot.collect.StubChatServer.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The collection scenario the end-to-end tests run: 20 arithmetic prompts with reference answers
 * (exact match) and 6 open prompts (judged), four candidates behind two upstreams and a judge:
 *
 * <ul>
 *   <li>{@code right} always answers correctly; the judge gives its open answers 8/10;
 *   <li>{@code wrong} is always off by one; judge 2/10;
 *   <li>{@code flaky} fails every request once with HTTP 500, then answers correctly; judge 6/10;
 *   <li>{@code limited} is rate limited (429, Retry-After: 0) once per request, then answers right
 *       on even-numbered prompts and wrong on odd ones; judge 4/10;
 *   <li>the judge never gives a valid rating for prompt {@code o5} (MALFORMED), and a malformed one
 *       first and a valid one second for {@code o6} (RETRY).
 * </ul>
 */
public final class Scenario {
  public static final List<String> MODELS = List.of("right", "wrong", "flaky", "limited");
  public static final int ARITHMETIC = 20;
  public static final List<String> OPEN = List.of(
      "Describe a quiet harbour at dawn.",
      "Explain why the sky looks blue.",
      "Give three tips for learning to juggle.",
      "Write two lines about autumn rain.",
      "MALFORMED: describe the sea in one sentence.",
      "RETRY: describe a mountain in one sentence.");
  private static final Pattern SUM = Pattern.compile("What is (\\d+) \\+ (\\d+)\\?");

  private Scenario() {}

  public static String arithmetic(int i) {
    return "What is " + (i * 7 % 50) + " + " + (i * 3 + 1) + "? Answer with the number.";
  }

  public static int sum(int i) {
    return i * 7 % 50 + i * 3 + 1;
  }

  /** Writes prompts.jsonl and models.yaml into {@code dir}. */
  public static void write(Path dir, String baseUrl) throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= ARITHMETIC; i++) {
      lines.add(String.format("{\"id\": \"a%02d\", \"prompt\": \"%s\", \"source\": \"sums\", \"reference\": \"%d\"}",
          i, arithmetic(i), sum(i)));
    }
    for (int i = 0; i < OPEN.size(); i++) {
      lines.add(String.format("{\"id\": \"o%d\", \"prompt\": \"%s\", \"source\": \"open\"}", i + 1, OPEN.get(i)));
    }
    Files.write(dir.resolve("prompts.jsonl"), lines);
    Files.writeString(dir.resolve("models.yaml"), """
        upstreams:
          good: {base_url: %1$s, concurrency: 4, backoff_ms: 1}
          shaky: {base_url: %1$s/v1, concurrency: 4, backoff_ms: 1, max_attempts: 3}
          judging: {base_url: %1$s, concurrency: 2, backoff_ms: 1}
        models:
          - {name: right, upstream: good, input_per_mtok: 1.0, output_per_mtok: 2.0}
          - {name: wrong, upstream: good, input_per_mtok: 0.5, output_per_mtok: 0.5}
          - {name: flaky, upstream: shaky, input_per_mtok: 0.2, output_per_mtok: 0.4, max_tokens: 64}
          - {name: limited, upstream: shaky, model: limited-v1, input_per_mtok: 0.1, output_per_mtok: 0.1}
        judges:
          - {name: judge, upstream: judging, model: judge-70b, input_per_mtok: 3, output_per_mtok: 6, max_tokens: 128}
        assumed_output_tokens: 10
        """.formatted(baseUrl));
  }

  public static StubChatServer.Behavior behavior() {
    return (model, message, attempt) -> switch (model) {
      case "right" -> Reply.ok("[right] " + answer(message, 0));
      case "wrong" -> Reply.ok("[wrong] " + answer(message, 1));
      case "flaky" -> attempt == 1 ? Reply.error(500) : Reply.ok("[flaky] " + answer(message, 0));
      case "limited-v1" -> attempt == 1 ? new Reply(429, null, "0")
          : Reply.ok("[limited] " + answer(message, parity(message)));
      case "judge-70b" -> Reply.ok(judge(message, attempt));
      default -> Reply.error(404);
    };
  }

  private static int parity(String message) {
    Matcher m = SUM.matcher(message);
    return m.find() && Integer.parseInt(m.group(1)) % 2 == 1 ? 1 : 0;
  }

  /** Whether {@code limited} answers prompt {@code i} right. */
  public static boolean limitedRight(int i) {
    return (i * 7 % 50) % 2 == 0;
  }

  private static String answer(String message, int offset) {
    Matcher m = SUM.matcher(message);
    if (m.find()) {
      return "Let me add. The answer is " + (Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(2)) + offset) + ".";
    }
    return "Here is my reply to that request.";
  }

  private static String judge(String message, int attempt) {
    if (message.contains("MALFORMED")) {
      return "A fine answer; I would rate it highly.";
    }
    if (message.contains("RETRY") && attempt == 1) {
      return "Rating: eight";
    }
    String grade = message.contains("[right]") ? "8" : message.contains("[wrong]") ? "2"
        : message.contains("[flaky]") ? "6" : message.contains("[limited]") ? "4" : "x";
    return "Reasonable. Rating: [[" + grade + "]]";
  }

  /** Runs a collection in a separate JVM, so a test can kill it with SIGKILL. Args: dir. */
  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    CollectJob job = new CollectJob(options(dir, Double.POSITIVE_INFINITY, false), null, new io.carrot.embed.Cl100kTokenCounter());
    job.run(new CollectJob.Listener() {
      @Override
      public void info(String message) {}

      @Override
      public void progress(int done, int failed, int pairs, double spentUsd) {}
    });
  }

  public static CollectJob.Options options(Path dir, double maxSpend, boolean writePartial) {
    return new CollectJob.Options(dir.resolve("prompts.jsonl"), dir.resolve("models.yaml"), dir.resolve("out"), null,
        "judge", null, maxSpend, 3, writePartial, false, false);
  }
}
