package io.carrot.collect.run;

import io.carrot.collect.dataset.DatasetWriter;
import io.carrot.collect.dataset.FileHashes;
import io.carrot.collect.llm.ChatClient;
import io.carrot.collect.llm.LlmServer;
import io.carrot.collect.llm.OpenAiChatClient;
import io.carrot.core.CarrotException;
import io.carrot.core.cost.TokenCounter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code carrot collect} as a library call: reads models.yaml and the prompts, opens (or resumes)
 * the checkpoint, prints the cost estimate, runs the {@link Collector} and writes the dataset.
 *
 * <p>The dataset is written when the run got through every call, or, with {@link
 * Options#writePartial()}, also when it stopped early; either way it holds the prompts complete so
 * far. Each run rewrites it from the whole checkpoint.
 */
public final class CollectJob {
  /**
   * @param prompts the prompt file (JSONL)
   * @param models models.yaml
   * @param out the dataset folder to write
   * @param checkpoint the checkpoint file; null for {@code <out>.checkpoint.jsonl} beside the folder
   * @param judge name of the judge model in models.yaml, or null
   * @param concurrency calls in flight at most over all upstreams; null for the sum of theirs
   * @param maxSpendUsd the hard cap; {@code Double.POSITIVE_INFINITY} for none
   * @param judgeAttempts judge calls per answer before its grade is recorded as missing
   * @param writePartial write the dataset also when the run stops early
   * @param dryRun print the estimate and stop
   * @param skipDamaged move damaged checkpoint lines aside and keep the good records (their calls
   *     are made again) instead of stopping at the first
   */
  public record Options(
      Path prompts,
      Path models,
      Path out,
      Path checkpoint,
      String judge,
      Integer concurrency,
      double maxSpendUsd,
      int judgeAttempts,
      boolean writePartial,
      boolean dryRun,
      boolean skipDamaged) {

    public Path checkpointFile() {
      if (checkpoint != null) {
        return checkpoint;
      }
      Path abs = out.toAbsolutePath().normalize();
      return abs.resolveSibling(abs.getFileName() + ".checkpoint.jsonl");
    }
  }

  /** What the job reports while it runs. */
  public interface Listener extends Collector.Listener {
    /** A line of information for the user (the estimate, what was written). */
    void info(String message);
  }

  /**
   * @param outcome how the collection ended (null for a dry run)
   * @param estimate the estimate printed before starting
   * @param written the dataset written, or null when none was
   */
  public record Result(Collector.Outcome outcome, CostEstimate estimate, DatasetAssembler.Assembled written, Path checkpoint) {}

  private final Options options;
  private final Map<String, ChatClient> clients;
  private final TokenCounter tokens;
  private volatile Collector collector;
  private volatile boolean stopRequested;

  /**
   * @param clients a client per upstream name, or null to create an {@link OpenAiChatClient} for each
   *     upstream models.yaml defines
   */
  public CollectJob(Options options, Map<String, ChatClient> clients, TokenCounter tokens) {
    this.options = options;
    this.clients = clients;
    this.tokens = tokens;
  }

  /** Finishes the calls in flight, starts no more; {@link #run} then returns. Thread-safe. */
  public void stop() {
    stopRequested = true;
    Collector c = collector;
    if (c != null) {
      c.stop();
    }
  }

  public Result run(Listener listener) {
    CollectConfig config = CollectConfig.read(options.models());
    List<PromptItem> prompts = PromptFile.read(options.prompts());
    CollectedModel judge = options.judge() == null ? null : config.judge(options.judge());
    Map<String, ChatClient> owned = new LinkedHashMap<>();
    Map<String, ChatClient> use = clients;
    if (use == null) {
      Set<String> names = new LinkedHashSet<>();
      config.models().forEach(m -> names.add(m.upstream()));
      if (judge != null) {
        names.add(judge.upstream());
      }
      String missing = missingApiKeys(config, names, System::getenv);
      if (missing != null && !options.dryRun()) {
        throw new CarrotException(missing);
      }
      if (missing != null) {
        listener.info("note: " + missing);
      }
      for (String n : names) {
        owned.put(n, new OpenAiChatClient(config.upstreams().get(n)));
      }
      use = owned;
    }
    int concurrency = options.concurrency() != null ? options.concurrency() : defaultConcurrency(config, judge);
    Path cpFile = options.checkpointFile();
    try (Checkpoint checkpoint = Checkpoint.open(cpFile, options.skipDamaged())) {
      if (checkpoint.skippedDamaged() > 0) {
        listener.info(String.format(java.util.Locale.ROOT,
            "skipped %d damaged checkpoint lines (moved to %s); their calls are made again, %d good records kept",
            checkpoint.skippedDamaged(), checkpoint.damagedFile(), checkpoint.records()));
      }
      Collector c = new Collector(prompts, config, judge, options.judgeAttempts(), concurrency,
          options.maxSpendUsd(), checkpoint, use, tokens);
      collector = c;
      if (stopRequested) {
        c.stop();
      }
      CostEstimate estimate = c.estimate();
      listener.info(estimate.format());
      if (options.dryRun()) {
        return new Result(null, estimate, null, cpFile);
      }
      Collector.Outcome outcome = c.run(listener);
      DatasetAssembler.Assembled written = null;
      if (outcome.stop() == Collector.Stop.NONE || options.writePartial()) {
        written = write(prompts, config, judge, checkpoint, outcome);
        if (written != null) {
          listener.info(String.format(java.util.Locale.ROOT,
              "wrote %s: %d prompts x %d models (left out: %d with a missing judge grade, %d not complete)",
              options.out(), written.kept(), config.models().size(), written.missingGrade(), written.missingAnswer()));
        }
      }
      return new Result(outcome, estimate, written, cpFile);
    } finally {
      owned.values().forEach(ChatClient::close);
    }
  }

  private DatasetAssembler.Assembled write(
      List<PromptItem> prompts, CollectConfig config, CollectedModel judge, Checkpoint checkpoint, Collector.Outcome outcome) {
    DatasetAssembler.Assembled a;
    try {
      String name = options.out().toAbsolutePath().normalize().getFileName().toString();
      String source = options.prompts().getFileName() + "`, sha256 `" + FileHashes.sha256(options.prompts());
      a = DatasetAssembler.assemble(name, source, prompts, config, judge, options.judgeAttempts(), checkpoint);
    } catch (CarrotException e) {
      if (outcome.stop() != Collector.Stop.NONE || outcome.failed() > 0) {
        return null;
      }
      throw e;
    }
    DatasetWriter.write(a.dataset(), a.readme(), options.out());
    return a;
  }

  /**
   * Names every {@code api_key_env} of the upstreams in use that is unset or empty, or null when
   * all are set: without this the first sign would be an HTTP 401 from the provider, after the
   * estimate and possibly after other upstreams' calls were paid.
   */
  static String missingApiKeys(CollectConfig config, Set<String> upstreams, java.util.function.UnaryOperator<String> env) {
    List<String> missing = new java.util.ArrayList<>();
    for (String n : upstreams) {
      String var = config.upstreams().get(n).apiKeyEnv();
      if (var != null && (env.apply(var) == null || env.apply(var).isBlank())) {
        missing.add(var + " (upstream '" + n + "')");
      }
    }
    if (missing.isEmpty()) {
      return null;
    }
    return "api_key_env " + String.join(", ", missing) + (missing.size() == 1 ? " is" : " are")
        + " not set in the environment; export the API key there before running (or remove api_key_env"
        + " from models.yaml for an upstream that needs no key)";
  }

  private static int defaultConcurrency(CollectConfig config, CollectedModel judge) {
    Set<String> names = new LinkedHashSet<>();
    config.models().forEach(m -> names.add(m.upstream()));
    if (judge != null) {
      names.add(judge.upstream());
    }
    int sum = 0;
    for (String n : names) {
      LlmServer u = config.upstreams().get(n);
      sum += u.concurrency();
    }
    return Math.max(1, sum);
  }
}
