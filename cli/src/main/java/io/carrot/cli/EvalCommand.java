package io.carrot.cli;

import io.carrot.core.CarrotException;
import io.carrot.core.data.Dataset;
import io.carrot.core.eval.EvalOptions;
import io.carrot.core.eval.EvalReport.RouterResult;
import io.carrot.core.eval.EvalReport;
import io.carrot.core.eval.CrossEvaluation;
import io.carrot.core.eval.EvaluationHarness;
import io.carrot.core.eval.SourceGroups;
import io.carrot.core.files.AtomicFiles;
import io.carrot.core.io.RouterFile;
import io.carrot.core.metrics.RouterMetrics;
import io.carrot.core.route.Router;
import io.carrot.core.train.AutoSelect;
import io.carrot.embed.Cl100kTokenCounter;
import io.carrot.report.MarkdownReport;
import io.carrot.report.ReportWriter;
import io.carrot.report.ResultsIndex;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    subcommands = {NewModelCommand.class},
    description = {
      "Reproduce the paper's experiment on a dataset: fit CARROT on train (or load --router), sweep mu on test,",
      "run every baseline (quality-only, static, binary, zero router, random, oracle), compute every metric",
      "(AUC, AIQ, APGR, CPT, cost to match the best model, quality at 10/20/30%% of its cost, accuracy at mu = 0,",
      "output-token MAE, model-selection share, RouterArena) with bootstrap intervals, and check the results.",
      "With --out: metrics.json, frontier.csv, report.md and PNG plots. With --all: every dataset under",
      "--data-root, one folder each in --out, and RESULTS.md next to --out. --folds K and --leave-out-source add a",
      "K-fold cross-evaluation and held-out sources with paired intervals between routers.",
      "Exit code 4: a sanity check failed (outputs are still written)."
    })
final class EvalCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--data", paramLabel = "DIR", description = "Dataset folder (prompts.jsonl.gz, models.json, split.json).")
  Path data;

  @Option(names = "--all", description = "Evaluate every dataset under --data-root (needs --out).")
  boolean all;

  @Option(names = "--data-root", defaultValue = "data", paramLabel = "DIR",
      description = "Where --all looks for datasets (default: ${DEFAULT-VALUE}).")
  Path dataRoot;

  @Option(names = "--models", split = ",", paramLabel = "a,b,...", description = "Use only these models of the dataset.")
  List<String> models;

  @Option(names = "--embedder", paramLabel = "NAME",
      description = DataOptions.EMBEDDER_HELP)
  String embedder;

  @Option(names = "--embeddings", paramLabel = "FILE.f32",
      description = "Precomputed embeddings (float32 LE rows, ids in FILE.f32.ids) instead of embedding prompts.")
  Path embeddings;

  @Option(names = "--router", paramLabel = "FILE", description = "Router to evaluate (default: fit one on train).")
  Path router;

  @Option(names = "--estimator", paramLabel = "NAME", completionCandidates = EstimatorNames.class,
      description = "Estimator to fit when no --router is given: one of ${COMPLETION-CANDIDATES} (default: auto, the best validation AIQ;"
          + " without a validation split, knn). The paper's CARROT-KNN is always evaluated alongside as carrot-knn.")
  String estimator;

  @Option(names = "--k", defaultValue = "auto", paramLabel = "auto|N", description = "k of the knn estimator and of the binary router (default: ${DEFAULT-VALUE}).")
  String k;

  @Option(names = "--mu-grid", defaultValue = "1000", paramLabel = "N", description = "mu steps in [0, 1]; thresholds use the same step (default: ${DEFAULT-VALUE}).")
  int muSteps;

  @Option(names = "--bootstrap", defaultValue = "1000", paramLabel = "N", description = "Bootstrap resamples of the test prompts; 0 for none (default: ${DEFAULT-VALUE}).")
  int bootstrap;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed of the bootstrap and of cross-validation (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--target-cost", paramLabel = "USD", description = "Deployment check: pick mu on validation for this mean cost per prompt, report test cost and quality.")
  Double targetCost;

  @Option(names = "--out", paramLabel = "DIR", description = "Write metrics.json, frontier.csv, report.md and plots here (with --all: one folder per dataset).")
  Path out;

  @Option(names = "--results", paramLabel = "FILE.md", description = "With --all: where to write the summary (default: RESULTS.md next to --out).")
  Path results;

  @Option(names = "--frontier", paramLabel = "FILE.csv",
      description = "Also write CARROT's frontier as CSV (router, mu, mean_cost_usd, mean_quality); --out's frontier.csv has every router.")
  Path frontierCsv;

  @Option(names = "--embeddings-dir", paramLabel = "DIR",
      description = "With --all: precomputed embeddings DIR/<dataset>.f32 (from carrot embed) instead of an embedder.")
  Path embeddingsDir;

  @Option(names = "--folds", paramLabel = "K",
      description = "Also a K-fold cross-evaluation: every prompt of the dataset (all splits) is a test prompt once; routers fitted on the"
          + " other folds (inner validation: 20%% of them), decisions pooled, paired bootstrap intervals between every two routers.")
  Integer folds;

  @Option(names = "--strip-boilerplate",
      description = "Remove each source's shared lines (in more than half of its prompts: answer templates, few-shot examples) before"
          + " embedding, as carrot train --strip-boilerplate does.")
  boolean stripBoilerplate;

  @Option(names = "--compare-embedders", split = ",", paramLabel = "NAME[,NAME...]",
      description = "With --folds: also fit CARROT and CARROT-KNN on each of these embedders' vectors on the same folds (routers"
          + " named <router>@<name>), with paired intervals against the main embedder's routers and a table of embedders.")
  List<String> compareEmbedders;

  @Option(names = "--leave-out-source", split = ",", paramLabel = "S[,S...]|all",
      description = "Also train on the other sources and test on each source group given (all: every one in turn), against the"
          + " prompt-blind routers fitted on the same training data, with paired intervals.")
  List<String> leaveOut;

  @Option(names = "--source-groups", paramLabel = "prefix:SEP|FILE",
      description = "How --leave-out-source groups sources: by their part before SEP, or by a file of 'source = group' lines"
          + " (default: each source is its own group).")
  String sourceGroups;

  @Override
  public Integer call() {
    EvalOptions options = options();
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter stdout = spec.commandLine().getOut();
    if (!all) {
      if (data == null) {
        throw new CarrotException("--data DIR is required (or --all to evaluate every dataset under --data-root)");
      }
      if (results != null || embeddingsDir != null) {
        throw new CarrotException("--results and --embeddings-dir apply to --all only");
      }
      EvalReport r = evaluate(data, embeddings, options, err);
      print(stdout, r);
      if (out != null) {
        ReportWriter.write(r, out);
        stdout.println("wrote " + out.resolve(ReportWriter.METRICS) + ", " + ReportWriter.FRONTIER_CSV + ", " + ReportWriter.REPORT + " and plots");
      }
      if (frontierCsv != null) {
        AtomicFiles.writeString(frontierCsv, carrotFrontier(r));
      }
      return sanity(err, List.of(r));
    }
    if (data != null || router != null || embeddings != null || models != null || frontierCsv != null) {
      throw new CarrotException("--all evaluates every dataset under --data-root; it does not take --data, --router, --embeddings, --models or --frontier");
    }
    if (out == null) {
      throw new CarrotException("--all needs --out DIR for the per-dataset folders");
    }
    List<Path> dirs = datasets(dataRoot);
    long t0 = System.nanoTime();
    List<EvalReport> reports = new ArrayList<>();
    for (Path dir : dirs) {
      err.println("== " + dir.getFileName());
      err.flush();
      Path f32 = embeddingsDir == null ? null : embeddingsDir.resolve(dir.getFileName() + ".f32");
      if (f32 != null && !Files.isRegularFile(f32)) {
        throw new CarrotException("--embeddings-dir " + embeddingsDir + " has no " + f32.getFileName() + " for dataset " + dir.getFileName()
            + "; write it with: carrot embed --data " + dir + " --out " + f32);
      }
      EvalReport r = evaluate(dir, f32, options, err);
      ReportWriter.write(r, out.resolve(r.dataset()));
      print(stdout, r);
      stdout.println();
      reports.add(r);
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    Path md = results != null ? results : out.toAbsolutePath().normalize().resolveSibling("RESULTS.md");
    String env = String.format(Locale.ROOT, "%d cores, Java %s", Runtime.getRuntime().availableProcessors(), Runtime.version().feature());
    AtomicFiles.writeString(md, ResultsIndex.render(reports, md, out, commandLine(), secs, env));
    stdout.printf(Locale.ROOT, "evaluated %d datasets in %.0f s; wrote %s and %s%n", reports.size(), secs, out, md);
    return sanity(err, reports);
  }

  private EvalOptions options() {
    if (muSteps < 1) {
      throw new CarrotException("--mu-grid must be >= 1, got " + muSteps);
    }
    if (bootstrap < 0) {
      throw new CarrotException("--bootstrap must be >= 0, got " + bootstrap);
    }
    if (targetCost != null && !(targetCost > 0 && Double.isFinite(targetCost))) {
      throw new CarrotException("--target-cost must be a number of USD per prompt > 0, got " + targetCost);
    }
    if (router != null && (folds != null || leaveOut != null)) {
      throw new CarrotException("--folds and --leave-out-source fit routers on other prompts; they do not take --router");
    }
    if (folds != null && folds < 2) {
      throw new CarrotException("--folds must be at least 2, got " + folds);
    }
    if (compareEmbedders != null && folds == null) {
      throw new CarrotException("--compare-embedders compares embedders on the folds of --folds K; add --folds (e.g. --folds 5)");
    }
    if (sourceGroups != null && leaveOut == null) {
      throw new CarrotException("--source-groups applies to --leave-out-source only");
    }
    if (router != null && estimator != null) {
      throw new CarrotException("--router evaluates a trained router; --estimator only applies when fitting one (drop one of them)");
    }
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("k", k);
    return new EvalOptions(estimator == null ? AutoSelect.NAME : estimator, settings, muSteps, bootstrap, seed,
        targetCost == null ? Double.NaN : targetCost);
  }

  private EvalReport evaluate(Path dir, Path f32, EvalOptions options, PrintWriter err) {
    DataOptions opts = new DataOptions();
    opts.data = dir;
    opts.models = models;
    opts.embedder = embedder;
    opts.embeddings = f32;
    opts.stripBoilerplate = stripBoilerplate;
    Router r = null;
    if (router != null) {
      r = RouterFile.load(router);
      if (opts.embeddings == null && opts.embedder == null) {
        opts.embedder = r.provenance().embedderId();
      }
      // a router trained on stripped prompts is measured on stripped prompts
      opts.stripBoilerplate |= io.carrot.core.data.Boilerplate.recordedIn(r.provenance().extra());
    }
    Dataset d = opts.read();
    if (estimator == null && router == null && io.carrot.core.curve.EvalSet.completeRows(d.rows(io.carrot.core.data.Split.VALIDATION)).isEmpty()) {
      // the default compares estimators on validation; without one, the paper's estimator needs none
      options = options.withEstimator("knn", options.settings());
      err.println("note: dataset " + d.name() + " has no validation prompts to compare estimators on, so this evaluates"
          + " the paper's CARROT-KNN (--estimator knn)");
    }
    StageProgress progress = new StageProgress(err);
    List<PromptVectors> others = new ArrayList<>();
    try (PromptVectors vectors = new PromptVectors(opts, err)) {
      EvaluationHarness.SplitEmbeddings embed = (split, rows) -> vectors.of(rows, "embedding " + split.key());
      String tokens = new Cl100kTokenCounter().id();
      EvalReport rep = EvaluationHarness.run(d, embed, r, vectors.embedderId(), tokens, options, progress);
      List<CrossEvaluation.Alternative> alternatives = new ArrayList<>();
      for (String name : compareEmbedders == null ? List.<String>of() : compareEmbedders) {
        DataOptions o = new DataOptions();
        o.embedder = name;
        PromptVectors pv = new PromptVectors(o, err);
        others.add(pv);
        alternatives.add(new CrossEvaluation.Alternative(name, (split, rows) -> pv.of(rows, "embedding " + split.key() + " (" + name + ")"),
            pv.embedderId()));
      }
      EvalReport.CrossEval cv = folds == null ? null
          : CrossEvaluation.folds(d, embed, vectors.embedderId(), tokens, options, folds, alternatives, progress);
      List<EvalReport.CrossEval> held = leaveOut == null ? List.of()
          : CrossEvaluation.leaveOneSourceOut(d, embed, vectors.embedderId(), tokens, options,
              sourceGroups == null ? SourceGroups.none() : SourceGroups.parse(sourceGroups), leaveOut, progress);
      progress.finish();
      return cv == null && held.isEmpty() ? rep : rep.withCrossEvaluations(cv, held);
    } finally {
      others.forEach(PromptVectors::close);
    }
  }

  /** The {@code --frontier} file: CARROT's points only, in the format the command always wrote. */
  private static String carrotFrontier(EvalReport r) {
    StringBuilder sb = new StringBuilder("router,mu,mean_cost_usd,mean_quality\n");
    for (io.carrot.core.metrics.Point p : r.router(r.carrot()).points()) {
      sb.append(String.format(Locale.ROOT, "%s,%.4f,%.9g,%.6f%n", r.carrot(), p.param(), p.cost(), p.quality()));
    }
    return sb.toString();
  }

  private static List<Path> datasets(Path root) {
    if (!Files.isDirectory(root)) {
      throw new CarrotException("--data-root " + root + " is not a folder; expected one holding a folder per dataset");
    }
    try (Stream<Path> s = Files.list(root)) {
      List<Path> dirs =
          s.filter(p -> Files.isRegularFile(p.resolve("prompts.jsonl.gz")) || Files.isRegularFile(p.resolve("prompts.jsonl"))).sorted().toList();
      if (dirs.isEmpty()) {
        throw new CarrotException("--data-root " + root + " has no dataset folders (folders with prompts.jsonl.gz or prompts.jsonl)");
      }
      return dirs;
    } catch (IOException e) {
      throw new CarrotException("cannot list --data-root " + root + ": " + e.getMessage(), e);
    }
  }

  private String commandLine() {
    // the parse result belongs to the top-level command: its original arguments start with "eval"
    return "carrot " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
  }

  private static int sanity(PrintWriter err, List<EvalReport> reports) {
    boolean ok = true;
    for (EvalReport r : reports) {
      if (!r.sane()) {
        ok = false;
        err.println("carrot: WARNING: SANITY CHECK FAILED on " + r.dataset() + ":");
        r.sanityViolations().forEach(v -> err.println("  " + v));
      }
    }
    err.flush();
    return ok ? 0 : 4;
  }

  private static void print(PrintWriter out, EvalReport r) {
    RouterResult c = r.router(r.carrot());
    out.printf(Locale.ROOT, "dataset %s: %d test prompts, %d models, %s (embedder %s)%n",
        r.dataset(), r.nTest(), r.singles().size(), c.description(), r.embedderId());
    out.printf(Locale.ROOT, "  %-34s %8s %12s%n", "", "quality", "cost/prompt");
    out.printf(Locale.ROOT, "  %-34s %8.4f %12.4e%n", r.carrot() + " at mu = 0", c.metrics().accuracyMu0(), c.points().get(0).cost());
    EvalReport.SingleModel best = r.singles().stream().filter(s -> s.model().equals(r.bestSingle())).findFirst().orElseThrow();
    out.printf(Locale.ROOT, "  %-34s %8.4f %12.4e%n", "best single: " + best.model(), best.quality(), best.cost());
    out.printf(Locale.ROOT, "  %-34s %8.4f %12.4e%n", "oracle", r.oracle().quality(), r.oracle().cost());
    double mae = r.outputTokenMae().get(r.carrot());
    out.println("  output-token MAE: " + (Double.isNaN(mae) ? "n/a (no output tokens to predict)" : String.format(Locale.ROOT, "%.1f", mae)));
    out.printf(Locale.ROOT, "  %-14s %7s %7s %7s %9s %7s %7s %7s %8s%n", "router", "AUC", "AIQ", "APGR", "match", "Q@10%", "Q@20%", "Q@30%", "acc mu0");
    for (RouterResult rr : r.routers().values()) {
      RouterMetrics m = rr.metrics();
      out.printf(Locale.ROOT, "  %-14s %7s %7s %7s %9s %7s %7s %7s %8s%n", rr.name(), f(m.auc()), f(m.aiq()), f(m.apgr()),
          Double.isNaN(m.costFractionToMatchBest()) ? "never" : String.format(Locale.ROOT, "%.1f%%", 100 * m.costFractionToMatchBest()),
          f(m.qualityAtCostFraction()[0]), f(m.qualityAtCostFraction()[1]), f(m.qualityAtCostFraction()[2]), f(m.accuracyMu0()));
    }
    for (String h : MarkdownReport.headline(r)) {
      out.println("  " + h.replace("**", ""));
    }
    if (r.deployment() != null) {
      EvalReport.Deployment d = r.deployment();
      out.printf(Locale.ROOT, "  target cost %.4e: mu = %.3f on validation (cost %.4e); test cost %.4e (%+.1f%%), quality %.4f%n",
          d.targetCost(), d.mu(), d.validation().cost(), d.test().cost(), 100 * (d.test().cost() / d.targetCost() - 1), d.test().quality());
    }
    List<String> ece = new ArrayList<>();
    for (EvalReport.CalibrationResult cal : r.calibration()) {
      ece.add(String.format(Locale.ROOT, "%s: all pairs %.4f, chosen at mu = 0 %.4f", cal.name(), cal.allPairs().ece(), cal.chosenMu0().ece()));
    }
    out.println("  calibration ECE (test): " + String.join("; ", ece));
    if (r.budgetKnob() != null) {
      List<String> errors = new ArrayList<>();
      for (EvalReport.BudgetRow b : r.budgetKnob().rows()) {
        errors.add(String.format(Locale.ROOT, "%.3g -> %+.1f%% (paced %+.1f%%, worst %.1f%%)", b.targetUsdPer1000(),
            100 * b.relativeError(), 100 * b.pacedRelativeError(), 100 * b.pacedWorstAbsRelativeError()));
      }
      out.println("  --budget (USD per 1000 -> test spend error; paced stream over random orders): " + String.join(", ", errors));
    }
    List<String> floors = new ArrayList<>();
    for (EvalReport.FloorRow f : r.qualityFloor()) {
      floors.add(String.format(Locale.ROOT, "%.2f -> %s (%s cleared, %s)", f.floor(), f(f.meanRealized()),
          String.format(Locale.ROOT, "%.0f%%", 100 * f.clearedShare()), MarkdownReport.promise(f).replace("**", "")));
    }
    out.println("  --min-quality (floor -> realized quality where cleared): " + String.join(", ", floors));
    MarkdownReport.crossEvaluationSummary(r).forEach(l -> out.println("  " + l.replace("**", "")));
    r.notes().forEach(n -> out.println("  note: " + n));
    out.flush();
  }

  private static String f(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
  }

  /** Shows each stage of the harness as its own progress bar on standard error. */
  static final class StageProgress implements io.carrot.core.ProgressListener {
    private final PrintWriter err;
    private String stage;
    private Progress bar;

    StageProgress(PrintWriter err) {
      this.err = err;
    }

    @Override
    public synchronized void update(String s, long done, long total) {
      if (!s.equals(stage)) {
        finish();
        stage = s;
        bar = new Progress(err, s, total);
      }
      bar.update(done);
    }

    synchronized void finish() {
      if (bar != null) {
        bar.done();
        bar = null;
        stage = null;
      }
    }
  }
}
