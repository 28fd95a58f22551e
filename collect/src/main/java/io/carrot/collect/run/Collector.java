package io.carrot.collect.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.collect.grade.JudgeRubric;
import io.carrot.collect.llm.ChatClient;
import io.carrot.collect.llm.ChatException;
import io.carrot.collect.llm.ChatResult;
import io.carrot.collect.llm.LlmRequest;
import io.carrot.core.CarrotException;
import io.carrot.core.cost.TokenCounter;
import io.carrot.core.files.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends every prompt to every model, grades each answer, and records every paid call in the
 * {@link Checkpoint} before counting it done.
 *
 * <p>Work goes prompt by prompt (all models of a prompt before the next) so that a run stopped
 * early leaves mostly complete prompts. Calls already in the checkpoint are skipped, so running again
 * resumes. A run ends early when the spend cap would be crossed, when {@link #stop()} is called
 * (Ctrl-C: calls in flight finish and are recorded, no new ones start) or when an upstream refuses
 * every call (HTTP 401/403/404). Other failed calls are recorded as errors and retried by the next
 * run.
 */
public final class Collector {
  private static final Logger LOG = LoggerFactory.getLogger(Collector.class);

  /** Safety margin on cl100k_base prompt counts for the worst-case reservation: other tokenizers count more. */
  private static final double TOKEN_MARGIN = 1.25;

  /** Why a run ended. */
  public enum Stop {
    /** Every call was made (some may have failed; see {@link Outcome#failed()}). */
    NONE,
    /** The next call would have crossed the spend cap. */
    CAP,
    /** {@link #stop()} was called. */
    STOPPED,
    /** An upstream refused a call in a way every call would be refused. */
    FATAL
  }

  /**
   * @param pairs prompt x model pairs
   * @param done pairs answered and graded (a judge grade may be recorded as missing)
   * @param failed pairs whose last call failed in this run
   * @param stop why the run ended
   * @param message the fatal error, when {@code stop} is FATAL
   */
  public record Outcome(int pairs, int done, int failed, Stop stop, String message) {}

  /** Receives progress from worker threads. */
  public interface Listener {
    void progress(int done, int failed, int pairs, double spentUsd);
  }

  private final List<PromptItem> prompts;
  private final CollectConfig config;
  private final CollectedModel judge;
  private final int judgeAttempts;
  private final int concurrency;
  private final Checkpoint checkpoint;
  private final SpendMeter spend;
  private final Map<String, ChatClient> clients;
  private final TokenCounter tokens;
  private volatile boolean stopRequested;
  private final AtomicReference<Stop> stop = new AtomicReference<>(Stop.NONE);
  private final AtomicReference<String> fatal = new AtomicReference<>();

  /**
   * @param judge the judge for prompts without a reference answer, or null (then every prompt
   *     must have one)
   * @param clients a client per upstream name
   * @param maxSpendUsd the spend cap, {@code Double.POSITIVE_INFINITY} for none
   */
  public Collector(
      List<PromptItem> prompts,
      CollectConfig config,
      CollectedModel judge,
      int judgeAttempts,
      int concurrency,
      double maxSpendUsd,
      Checkpoint checkpoint,
      Map<String, ChatClient> clients,
      TokenCounter tokens) {
    if (judgeAttempts < 1 || judgeAttempts > 10) {
      throw new CarrotException("--judge-attempts must be in 1..10, got " + judgeAttempts);
    }
    if (concurrency < 1) {
      throw new CarrotException("--concurrency must be >= 1, got " + concurrency);
    }
    if (judge == null) {
      for (PromptItem p : prompts) {
        if (!p.hasReference()) {
          throw new CarrotException("prompt '" + p.id() + "' has no reference answer, so it needs an LLM judge; pass --judge NAME");
        }
      }
    }
    for (CollectedModel m : config.models()) {
      requireClient(clients, m);
    }
    if (judge != null) {
      requireClient(clients, judge);
    }
    this.prompts = List.copyOf(prompts);
    this.config = config;
    this.judge = judge;
    this.judgeAttempts = judgeAttempts;
    this.concurrency = concurrency;
    this.checkpoint = checkpoint;
    this.spend = new SpendMeter(maxSpendUsd, checkpoint);
    this.clients = Map.copyOf(clients);
    this.tokens = tokens;
  }

  private static void requireClient(Map<String, ChatClient> clients, CollectedModel m) {
    if (!clients.containsKey(m.upstream())) {
      throw new CarrotException("model '" + m.name() + "': no client for upstream '" + m.upstream() + "'");
    }
  }

  /** Asks a running {@link #run} to finish the calls in flight and start no more. Thread-safe. */
  public void stop() {
    stopRequested = true;
  }

  private boolean halted() {
    return stopRequested || stop.get() != Stop.NONE;
  }

  /** The text whose hash keys a recorded answer: the system prompt is part of what was asked. */
  String promptSha(PromptItem p) {
    return Checkpoint.sha(config.systemPrompt() + "\u0000" + p.prompt());
  }

  /** The estimate of what is left to do. */
  public CostEstimate estimate() {
    List<CostEstimate.Row> rows = new ArrayList<>();
    int assumed = config.assumedOutputTokens();
    long judgeCalls = 0;
    long judgeIn = 0;
    int rubricTokens = tokens.count(JudgeRubric.render("", null, ""));
    int system = config.systemPrompt().isEmpty() ? 0 : tokens.count(config.systemPrompt()) + CostEstimate.CHAT_OVERHEAD_TOKENS;
    for (CollectedModel m : config.models()) {
      long calls = 0;
      long in = 0;
      // an answer cannot be longer than the max_tokens it is asked with
      int perAnswer = Math.min(assumed, m.maxTokens());
      for (PromptItem p : prompts) {
        Optional<Checkpoint.Answer> a = checkpoint.answer(p.id(), m.name(), promptSha(p));
        int pt = tokens.count(p.prompt()) + CostEstimate.CHAT_OVERHEAD_TOKENS + system;
        if (a.isEmpty()) {
          calls++;
          in += pt;
        }
        if (judge != null && !p.hasReference() && !judged(p, m, a)) {
          judgeCalls++;
          int answerTokens = a.map(x -> tokens.count(x.text())).orElse(perAnswer);
          judgeIn += rubricTokens + tokens.count(p.prompt()) + answerTokens + CostEstimate.CHAT_OVERHEAD_TOKENS;
        }
      }
      long out = calls * perAnswer;
      rows.add(new CostEstimate.Row(m.name(), calls, in, out, m.price().cost(in, out)));
    }
    if (judge != null) {
      long out = judgeCalls * Math.min(CostEstimate.JUDGE_OUTPUT_TOKENS, judge.maxTokens());
      rows.add(new CostEstimate.Row("judge: " + judge.name(), judgeCalls, judgeIn, out, judge.price().cost(judgeIn, out)));
    }
    return new CostEstimate(rows, assumed, checkpoint.spent(), spend.cap());
  }

  private boolean judged(PromptItem p, CollectedModel m, Optional<Checkpoint.Answer> a) {
    if (a.isEmpty()) {
      return false;
    }
    List<Checkpoint.JudgeCall> calls =
        checkpoint.judgeCalls(p.id(), m.name(), judge.name(), JudgeRubric.VERSION, Checkpoint.sha(a.get().text()));
    return calls.size() >= judgeAttempts || calls.stream().anyMatch(c -> c.score().isPresent());
  }

  /** Runs until every pair is done or the run stops early; blocks. */
  public Outcome run(Listener listener) {
    int pairs = prompts.size() * config.models().size();
    AtomicInteger done = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    Semaphore window = new Semaphore(concurrency);
    List<Runnable> todo = new ArrayList<>();
    for (PromptItem p : prompts) {
      for (CollectedModel m : config.models()) {
        Optional<Checkpoint.Answer> a = checkpoint.answer(p.id(), m.name(), promptSha(p));
        if (a.isPresent() && (judge == null || p.hasReference() || judged(p, m, a))) {
          done.incrementAndGet();
        } else {
          todo.add(() -> {
            switch (pair(p, m)) {
              case OK -> done.incrementAndGet();
              case FAILED -> failed.incrementAndGet();
              case NOT_STARTED -> { }
            }
            listener.progress(done.get(), failed.get(), pairs, checkpoint.spent());
          });
        }
      }
    }
    listener.progress(done.get(), failed.get(), pairs, checkpoint.spent());
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (Runnable task : todo) {
        if (halted()) {
          break;
        }
        try {
          window.acquire();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          stopRequested = true;
          break;
        }
        pool.submit(() -> {
          try {
            task.run();
          } catch (RuntimeException e) {
            LOG.error("collection task failed", e);
            fatal.compareAndSet(null, e.toString());
            stop.compareAndSet(Stop.NONE, Stop.FATAL);
          } finally {
            window.release();
          }
        });
      }
      pool.shutdown();
      awaitQuietly(pool);
    }
    Stop s = stop.get() != Stop.NONE ? stop.get() : stopRequested ? Stop.STOPPED : Stop.NONE;
    return new Outcome(pairs, done.get(), failed.get(), s, fatal.get());
  }

  private static void awaitQuietly(ExecutorService pool) {
    boolean interrupted = false;
    while (true) {
      try {
        if (pool.awaitTermination(1, TimeUnit.SECONDS)) {
          break;
        }
      } catch (InterruptedException e) {
        // In-flight calls must still be recorded, or a resume would pay for them again.
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** How one call or one pair went. */
  private enum Result {
    OK,
    FAILED,
    /** Not started: the run is stopping or the cap would be crossed. */
    NOT_STARTED
  }

  /** One prompt x model: answer, then grade. OK when both are settled. */
  private Result pair(PromptItem p, CollectedModel m) {
    String psha = promptSha(p);
    Optional<Checkpoint.Answer> answer = checkpoint.answer(p.id(), m.name(), psha);
    if (answer.isEmpty()) {
      if (halted()) {
        return Result.NOT_STARTED;
      }
      int system = config.systemPrompt().isEmpty() ? 0 : tokens.count(config.systemPrompt());
      LlmRequest req = new LlmRequest(m.apiModel(), config.systemPrompt(), p.prompt(), m.maxTokens(), m.temperature());
      Result r = call(m, req, tokens.count(p.prompt()) + system, p);
      if (r != Result.OK) {
        return r;
      }
      answer = checkpoint.answer(p.id(), m.name(), psha);
    }
    if (judge == null || p.hasReference()) {
      return Result.OK;
    }
    String asha = Checkpoint.sha(answer.get().text());
    while (true) {
      List<Checkpoint.JudgeCall> calls = checkpoint.judgeCalls(p.id(), m.name(), judge.name(), JudgeRubric.VERSION, asha);
      if (calls.stream().anyMatch(c -> c.score().isPresent()) || calls.size() >= judgeAttempts) {
        return Result.OK;
      }
      if (halted()) {
        return Result.NOT_STARTED;
      }
      String rendered = JudgeRubric.render(p.prompt(), p.reference(), answer.get().text());
      LlmRequest req = new LlmRequest(judge.apiModel(), "", rendered, judge.maxTokens(), judge.temperature());
      Result r = callJudge(p, m, req, tokens.count(rendered), asha);
      if (r != Result.OK) {
        return r;
      }
    }
  }

  private Result call(CollectedModel m, LlmRequest req, int promptTokens, PromptItem p) {
    double reserve = worstCase(m, promptTokens);
    if (!spend.tryReserve(reserve)) {
      stop.compareAndSet(Stop.NONE, Stop.CAP);
      return Result.NOT_STARTED;
    }
    try {
      ChatResult r = clients.get(m.upstream()).complete(req);
      ObjectNode o = record("answer", p, m);
      o.put("prompt_sha", promptSha(p));
      o.put("text", r.text());
      usage(o, m, r);
      checkpoint.append(o);
      return Result.OK;
    } catch (CarrotException e) {
      failure(p, m, "answer", e);
      return Result.FAILED;
    } finally {
      spend.release(reserve);
    }
  }

  private Result callJudge(PromptItem p, CollectedModel m, LlmRequest req, int promptTokens, String answerSha) {
    double reserve = worstCase(judge, promptTokens);
    if (!spend.tryReserve(reserve)) {
      stop.compareAndSet(Stop.NONE, Stop.CAP);
      return Result.NOT_STARTED;
    }
    try {
      ChatResult r = clients.get(judge.upstream()).complete(req);
      OptionalDouble score = JudgeRubric.parse(r.text());
      ObjectNode o = record("judge", p, m);
      o.put("judge", judge.name());
      o.put("rubric", JudgeRubric.VERSION);
      o.put("answer_sha", answerSha);
      o.put("output", r.text());
      if (score.isPresent()) {
        o.put("score", score.getAsDouble());
      } else {
        o.putNull("score");
        LOG.debug("judge output for {} / {} has no valid 'Rating: [[N]]'", p.id(), m.name());
      }
      usage(o, judge, r);
      checkpoint.append(o);
      return Result.OK;
    } catch (CarrotException e) {
      failure(p, m, "judge", e);
      return Result.FAILED;
    } finally {
      spend.release(reserve);
    }
  }

  private double worstCase(CollectedModel m, int promptTokens) {
    long in = (long) Math.ceil(promptTokens * TOKEN_MARGIN) + 4L * CostEstimate.CHAT_OVERHEAD_TOKENS;
    return m.price().cost(in, m.maxTokens());
  }

  private static ObjectNode record(String type, PromptItem p, CollectedModel m) {
    ObjectNode o = Json.COMPACT.createObjectNode();
    o.put("type", type);
    o.put("prompt_id", p.id());
    o.put("model", m.name());
    return o;
  }

  private static void usage(ObjectNode o, CollectedModel billed, ChatResult r) {
    o.put("input_tokens", r.promptTokens());
    o.put("output_tokens", r.completionTokens());
    o.put("latency_ms", r.latencyMillis());
    o.put("attempts", r.attempts());
    o.put("finish_reason", r.finishReason());
    o.put("cost_usd", billed.cost(r.promptTokens(), r.completionTokens()));
  }

  private void failure(PromptItem p, CollectedModel m, String call, CarrotException e) {
    ObjectNode o = record("error", p, m);
    o.put("call", call);
    o.put("error", e.getMessage());
    o.put("retryable", e.retryable());
    checkpoint.append(o);
    if (e instanceof ChatException ce && ce.fatal()) {
      fatal.compareAndSet(null, e.getMessage());
      stop.compareAndSet(Stop.NONE, Stop.FATAL);
    } else {
      LOG.warn("{} / {}: {} call failed: {}", p.id(), m.name(), call, e.getMessage());
    }
  }
}
