package io.carrot.collect.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carrot.collect.StubChatServer;
import io.carrot.collect.grade.JudgeRubric;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.DatasetReader;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.embed.Cl100kTokenCounter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code carrot collect} end to end against stub OpenAI-compatible servers on a loopback port (see
 * {@link Scenario}): stopped half-way (as by Ctrl-C) or killed with SIGKILL, resumed, and checked
 * for a complete dataset with the expected grades and no call paid twice.
 */
class CollectEndToEndTest {
  private static final Cl100kTokenCounter TOKENS = new Cl100kTokenCounter();
  private static final int PAIRS = (Scenario.ARITHMETIC + Scenario.OPEN.size()) * Scenario.MODELS.size();

  @TempDir Path dir;

  /** Records progress; optionally stops the job once {@code stopAt} pairs are done. */
  private static final class Recorder implements CollectJob.Listener {
    final List<String> info = new CopyOnWriteArrayList<>();
    final List<int[]> progress = new CopyOnWriteArrayList<>();
    volatile CollectJob job;
    final int stopAt;
    final AtomicBoolean stopped = new AtomicBoolean();

    Recorder(int stopAt) {
      this.stopAt = stopAt;
    }

    @Override
    public void info(String message) {
      info.add(message);
    }

    @Override
    public void progress(int done, int failed, int pairs, double spentUsd) {
      progress.add(new int[] {done, failed, pairs});
      if (done >= stopAt && stopped.compareAndSet(false, true)) {
        job.stop();
      }
    }
  }

  private CollectJob.Result run(Recorder rec, double maxSpend, boolean writePartial) {
    CollectJob job = new CollectJob(Scenario.options(dir, maxSpend, writePartial), null, TOKENS);
    rec.job = job;
    return job.run(rec);
  }

  @Test
  void stoppedHalfWayThenResumedGivesTheCompleteDatasetWithNothingPaidTwice() throws Exception {
    try (StubChatServer stub = new StubChatServer(Scenario.behavior(), 3)) {
      Scenario.write(dir, stub.baseUrl());

      Recorder first = new Recorder(40);
      CollectJob.Result r1 = run(first, Double.POSITIVE_INFINITY, false);
      assertThat(r1.outcome().stop()).isEqualTo(Collector.Stop.STOPPED);
      assertThat(r1.outcome().done()).isBetween(40, PAIRS - 1);
      assertThat(r1.written()).isNull();
      assertThat(dir.resolve("out")).doesNotExist();
      assertThat(first.info.get(0)).contains("cost estimate").contains("judge: judge");
      int paidAfterStop = stub.paidTotal();

      Recorder second = new Recorder(Integer.MAX_VALUE);
      CollectJob.Result r2 = run(second, Double.POSITIVE_INFINITY, false);
      assertThat(r2.outcome().stop()).isEqualTo(Collector.Stop.NONE);
      assertThat(r2.outcome().done()).isEqualTo(PAIRS);
      assertThat(r2.outcome().failed()).isZero();
      assertThat(second.progress.get(0)[0]).as("resume starts from the checkpoint").isEqualTo(r1.outcome().done());
      assertThat(stub.paidTotal()).isGreaterThan(paidAfterStop);

      assertNothingPaidTwice(stub);
      assertDataset(DatasetReader.read(dir.resolve("out")));

      // Spend recorded = stub usage x prices, over both runs.
      Checkpoint cp = Checkpoint.open(r2.checkpoint());
      assertThat(cp.spent()).isCloseTo(expectedSpend(stub), within(1e-12));
      cp.close();
      String readme = Files.readString(dir.resolve("out/README.md"));
      assertThat(readme).contains("Left out: 1 prompts whose judge grade is missing")
          .contains("`judge`: API model `judge-70b`").contains(JudgeRubric.VERSION).contains("Rating: [[N]]")
          .contains("exact match (number): 20 prompts").contains("judge: 5 prompts");

      // A third run has nothing left to pay for and rewrites the same dataset.
      int paid = stub.paidTotal();
      CollectJob.Result r3 = run(new Recorder(Integer.MAX_VALUE), Double.POSITIVE_INFINITY, false);
      assertThat(r3.estimate().totalCalls()).isZero();
      assertThat(stub.paidTotal()).isEqualTo(paid);
      assertThat(r3.written().kept()).isEqualTo(25);
    }
  }

  @Test
  void killedWithSigkillThenResumedPaysAgainOnlyForCallsThatWereInFlight() throws Exception {
    try (StubChatServer stub = new StubChatServer(Scenario.behavior(), 15)) {
      Scenario.write(dir, stub.baseUrl());
      String java = ProcessHandle.current().info().command().orElse("java");
      Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Scenario.class.getName(), dir.toString())
          .redirectErrorStream(true)
          .redirectOutput(dir.resolve("child.log").toFile())
          .start();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (stub.paidTotal() < 40 && p.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(p.isAlive()).as("the child is still collecting; log: %s", dir.resolve("child.log")).isTrue();
      p.destroyForcibly();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(100);

      // What the killed run had recorded: each of those calls must never be paid again.
      Map<String, String> answerText = new HashMap<>();
      List<String> recordedKeys = new ArrayList<>();
      Path cpFile = dir.resolve("out.checkpoint.jsonl");
      try (Checkpoint cp = Checkpoint.open(cpFile)) {
        for (PromptItem item : PromptFile.read(dir.resolve("prompts.jsonl"))) {
          for (String m : Scenario.MODELS) {
            cp.answer(item.id(), m, Checkpoint.sha("\u0000" + item.prompt())).ifPresent(a -> {
              recordedKeys.add(apiModel(m) + "\u0000" + item.prompt());
              answerText.put(item.id() + "/" + m, a.text());
            });
          }
        }
      }
      assertThat(recordedKeys).isNotEmpty();
      int paidAtKill = stub.paidTotal();

      CollectJob.Result r = run(new Recorder(Integer.MAX_VALUE), Double.POSITIVE_INFINITY, false);
      assertThat(r.outcome().stop()).isEqualTo(Collector.Stop.NONE);
      assertThat(r.outcome().done()).isEqualTo(PAIRS);
      for (String key : recordedKeys) {
        assertThat(stub.paidByKey().get(key)).as("paid for recorded call %s", key.replace('\u0000', '|')).isEqualTo(1);
      }
      // Only calls in flight at the kill (at most the summed concurrency, 4 + 4 + 2) may be paid twice.
      long extra = stub.paidByKey().entrySet().stream().mapToLong(e -> e.getValue() - expectedPaid(e.getKey())).sum();
      assertThat(extra).isBetween(0L, 10L);
      assertThat(stub.paidTotal()).isGreaterThan(paidAtKill);
      assertDataset(DatasetReader.read(dir.resolve("out")));
    }
  }

  @Test
  void theSpendCapStopsTheRunBeforeCrossingItAndAHigherCapFinishesIt() throws Exception {
    try (StubChatServer stub = new StubChatServer(Scenario.behavior(), 0)) {
      Scenario.write(dir, stub.baseUrl());
      double cap = 0.01;
      CollectJob.Result r1 = run(new Recorder(Integer.MAX_VALUE), cap, true);
      assertThat(r1.outcome().stop()).isEqualTo(Collector.Stop.CAP);
      try (Checkpoint cp = Checkpoint.open(r1.checkpoint())) {
        assertThat(cp.spent()).isLessThanOrEqualTo(cap).isGreaterThan(0);
      }
      assertThat(r1.estimate().format()).contains("warning: the estimate exceeds the cap");
      // --write-partial: the complete prompts so far (all sums, done first, and no open prompt) form a dataset.
      Dataset partial = DatasetReader.read(dir.resolve("out"));
      assertThat(partial.prompts().size()).isEqualTo(r1.written().kept()).isBetween(20, 24);
      CollectJob.Result r2 = run(new Recorder(Integer.MAX_VALUE), 1.0, false);
      assertThat(r2.outcome().stop()).isEqualTo(Collector.Stop.NONE);
      assertNothingPaidTwice(stub);
      assertDataset(DatasetReader.read(dir.resolve("out")));
    }
  }

  @Test
  void anUpstreamThatRefusesEveryCallStopsTheRunWithItsError() throws Exception {
    StubChatServer.Behavior locked = (model, message, attempt) ->
        model.equals("limited-v1") ? StubChatServer.Reply.error(401) : Scenario.behavior().reply(model, message, attempt);
    try (StubChatServer stub = new StubChatServer(locked, 0)) {
      Scenario.write(dir, stub.baseUrl());
      CollectJob.Result r = run(new Recorder(Integer.MAX_VALUE), Double.POSITIVE_INFINITY, false);
      assertThat(r.outcome().stop()).isEqualTo(Collector.Stop.FATAL);
      assertThat(r.outcome().message()).contains("shaky limited-v1: HTTP 401: stub says 401");
      assertThat(r.written()).isNull();
      assertThat(stub.requests("limited-v1", Scenario.arithmetic(1))).as("401 is not retried").isEqualTo(1);
    }
  }

  private static String apiModel(String m) {
    return m.equals("limited") ? "limited-v1" : m;
  }

  /** Paid calls per (model, message) in a run without kills: judges retry malformed output (o5 three times, o6 twice). */
  private static int expectedPaid(String key) {
    if (!key.startsWith("judge-70b")) {
      return 1;
    }
    return key.contains("MALFORMED") ? 3 : key.contains("RETRY") ? 2 : 1;
  }

  private static void assertNothingPaidTwice(StubChatServer stub) throws Exception {
    for (int i = 1; i <= Scenario.ARITHMETIC; i++) {
      for (String m : Scenario.MODELS) {
        assertThat(stub.paid(apiModel(m), Scenario.arithmetic(i))).as("%s a%02d", m, i).isEqualTo(1);
      }
      assertThat(stub.requests("flaky", Scenario.arithmetic(i))).as("flaky retried after its 500").isEqualTo(2);
      assertThat(stub.requests("limited-v1", Scenario.arithmetic(i))).as("limited retried after its 429").isEqualTo(2);
    }
    for (String open : Scenario.OPEN) {
      for (String m : Scenario.MODELS) {
        assertThat(stub.paid(apiModel(m), open)).as("%s %s", m, open).isEqualTo(1);
      }
    }
    int judgeKeys = 0;
    for (Map.Entry<String, Integer> e : stub.paidByKey().entrySet()) {
      if (e.getKey().startsWith("judge-70b")) {
        judgeKeys++;
        assertThat(e.getValue()).as("judge calls on %s", e.getKey().replace('\u0000', '|')).isEqualTo(expectedPaid(e.getKey()));
      }
    }
    assertThat(judgeKeys).as("one judged answer per open prompt and model").isEqualTo(Scenario.OPEN.size() * Scenario.MODELS.size());
  }

  private static double expectedSpend(StubChatServer stub) {
    Map<String, double[]> prices = Map.of("right", new double[] {1.0, 2.0}, "wrong", new double[] {0.5, 0.5},
        "flaky", new double[] {0.2, 0.4}, "limited-v1", new double[] {0.1, 0.1}, "judge-70b", new double[] {3, 6});
    double total = 0;
    for (Map.Entry<String, Integer> e : stub.paidByKey().entrySet()) {
      String[] kv = e.getKey().split("\u0000", 2);
      String reply = Scenario.behavior().reply(kv[0], kv[1], 2).text();
      // Judge replies to RETRY prompts differ by attempt: the first is "Rating: eight".
      double[] p = prices.get(kv[0]);
      int calls = e.getValue();
      for (int attempt = 1; attempt <= calls; attempt++) {
        String text = kv[0].equals("judge-70b") ? Scenario.behavior().reply(kv[0], kv[1], attempt).text() : reply;
        total += (StubChatServer.words(kv[1]) * p[0] + StubChatServer.words(text) * p[1]) / 1e6;
      }
    }
    return total;
  }

  private static void assertDataset(Dataset d) {
    assertThat(d.models()).containsExactlyElementsOf(Scenario.MODELS);
    assertThat(d.prompts()).hasSize(25);
    assertThat(d.prompts()).extracting(PromptRecord::id).doesNotContain("o5").contains("o6", "a01", "a20");
    int splitTotal = 0;
    for (Split s : Split.values()) {
      splitTotal += d.rows(s).size();
    }
    assertThat(splitTotal).isEqualTo(25);
    assertThat(d.rows(Split.TRAIN).size()).isEqualTo(14 + 4);
    for (PromptRecord r : d.prompts()) {
      if (r.id().startsWith("a")) {
        int i = Integer.parseInt(r.id().substring(1));
        assertThat(r.scores()).as(r.id()).containsExactly(1.0, 0.0, 1.0, Scenario.limitedRight(i) ? 1.0 : 0.0);
        assertThat(r.source()).isEqualTo("sums");
      } else {
        assertThat(r.scores()).as(r.id()).containsExactly(0.8, 0.2, 0.6, 0.4);
      }
      assertThat(r.inputTokens()[0]).isEqualTo(StubChatServer.words(r.prompt()));
      assertThat(r.outputTokens()[1]).isGreaterThan(0);
      assertThat(r.cost()).isNull();
    }
  }
}
