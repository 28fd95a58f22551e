package io.carrot.core.eval;

import io.carrot.core.CarrotException;
import io.carrot.core.ProgressListener;
import io.carrot.core.curve.ChoiceCurve;
import io.carrot.core.curve.EvalSet;
import io.carrot.core.curve.SingleModels;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.core.eval.EvalReport.CrossEval;
import io.carrot.core.eval.EvalReport.Difference;
import io.carrot.core.eval.EvalReport.Interval;
import io.carrot.core.eval.EvaluationHarness.SplitEmbeddings;
import io.carrot.core.metrics.Anchors;
import io.carrot.core.metrics.Point;
import io.carrot.core.metrics.RouterMetrics;
import io.carrot.core.predict.Prediction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Evaluations in which the test prompts are not one fixed split, so that small differences between
 * routers can be told from noise and routing can be measured on prompts unlike its training data.
 *
 * <ul>
 *   <li>{@link #folds K-fold}: every prompt of the dataset (all splits) is a test prompt once. Each
 *       fold's routers are fitted on the other folds, choose on an inner validation split carved from
 *       them, and decide on the fold; the decisions of all folds are pooled into one set of test
 *       decisions per router and setting, measured like a single split.
 *   <li>{@link #leaveOneSourceOut leave one source out}: the prompts of one source (or group of
 *       sources) are the test prompts; the routers learn from every other source.
 * </ul>
 *
 * <p>Both report <em>paired</em> bootstrap intervals between routers: prompts are resampled, both
 * routers are measured on the same resample, and the interval is that of the difference. Beside the
 * harness's routers they include the prompt-blind {@value #BEST_ON_TRAIN} router (every prompt to
 * the model best on the training data) and, held-out sources only, {@value #ZERO_FROM_TRAIN} (the
 * single models that are vertices of the zero router's hull on the training data, mixed), in the
 * K-fold folds {@value #TASK_ONLY} (each prompt predicted by its source's training means: what the
 * task alone is worth, when the training prompts have two or more sources), and, when the router
 * has a support section, the same router with its support fallback on
 * ({@value #WITH_FALLBACK}, in the folds too: what {@code route} does by default costs or gains
 * there): "with and without" the shrinkage toward the priors.
 *
 * <p>Folds and inner validation splits are stratified by source and deterministic from the seed:
 * prompts of each source (in sorted source order) are shuffled and dealt round-robin, continuing the
 * count from one source to the next so fold sizes differ by at most one.
 */
public final class CrossEvaluation {
  /** Every prompt to the model with the best mean quality on the training data. */
  public static final String BEST_ON_TRAIN = "best-on-train";

  /** The zero router built from training means: the training hull's models, mixed on the test prompts. */
  public static final String ZERO_FROM_TRAIN = "zero-router-train";

  /** In the K-fold folds (with two or more training sources): each prompt predicted by its source's training means. */
  public static final String TASK_ONLY = BaselineCurves.TASK_ONLY;

  /**
   * Suffix of the router with its support fallback on. The router itself is
   * measured on its estimator's raw predictions, as on a single split.
   */
  public static final String WITH_FALLBACK = "+fallback";

  /** One prompt in this many of the training folds becomes the inner validation split (20%). */
  static final int INNER_VALIDATION_EVERY = 5;

  private CrossEvaluation() {}

  /** The prompts of a dataset in one list (train, validation, test) with their embeddings. */
  private record AllRows(List<PromptRecord> rows, float[][] vectors) {}

  private static AllRows allRows(Dataset d, SplitEmbeddings vectors) {
    List<PromptRecord> rows = new ArrayList<>();
    List<float[]> e = new ArrayList<>();
    for (Split s : new Split[] {Split.TRAIN, Split.VALIDATION, Split.TEST}) {
      List<PromptRecord> part = d.rows(s);
      if (!part.isEmpty()) {
        rows.addAll(part);
        e.addAll(List.of(vectors.embed(s, part)));
      }
    }
    return new AllRows(rows, e.toArray(float[][]::new));
  }

  /**
   * K-fold cross-evaluation of every prompt of {@code data}.
   *
   * @param k number of folds, at least 2
   */
  public static CrossEval folds(
      Dataset data, SplitEmbeddings vectors, String embedderId, String tokenCounterId, EvalOptions options, int k, ProgressListener progress) {
    return folds(data, vectors, embedderId, tokenCounterId, options, k, List.of(), progress);
  }

  /**
   * Another representation of the same prompts, compared on the same folds: its routers (CARROT
   * and CARROT-KNN) are fitted on the same training prompts, decide on the same test prompts and are
   * named {@code <router>@<label>}, so that every difference to the main embedder's routers is paired.
   *
   * @param label short name in router names, e.g. {@code bge-small}
   */
  public record Alternative(String label, SplitEmbeddings vectors, String embedderId) {
    /** Checks the label. */
    public Alternative {
      if (label == null || label.isBlank() || label.contains("@")) {
        throw new CarrotException("embedder label '" + label + "': expected a non-empty name without '@'");
      }
    }
  }

  /** Separates an alternative embedder's label from the router name in {@code router@label}. */
  public static final String AT = "@";

  /**
   * K-fold cross-evaluation of every prompt of {@code data} with the main embedding and each of
   * {@code alternatives} on the same folds and inner validation splits (see {@link Alternative}).
   *
   * @param k number of folds, at least 2
   */
  public static CrossEval folds(
      Dataset data, SplitEmbeddings vectors, String embedderId, String tokenCounterId, EvalOptions options, int k,
      List<Alternative> alternatives, ProgressListener progress) {
    if (k < 2) {
      throw new CarrotException("--folds must be at least 2, got " + k);
    }
    AllRows all = allRows(data, vectors);
    if (all.rows.size() < 2 * k) {
      throw new CarrotException("dataset '" + data.name() + "' has " + all.rows.size() + " prompts; " + k + " folds need at least " + 2 * k);
    }
    // the rows come in split order from the dataset alone, so every embedding's i-th vector is the same prompt's
    List<AllRows> others = new ArrayList<>();
    for (Alternative a : alternatives) {
      others.add(allRows(data, a.vectors()));
    }
    int[] fold = deal(all.rows, k, options.seed(), r -> r.source());
    List<String> notes = new ArrayList<>();
    List<Fold> parts = new ArrayList<>();
    for (int f = 0; f < k; f++) {
      List<Integer> train = new ArrayList<>();
      List<Integer> test = new ArrayList<>();
      for (int i = 0; i < fold.length; i++) {
        (fold[i] == f ? test : train).add(i);
      }
      String label = "fold " + (f + 1) + "/" + k;
      Fold fitted = runFold(data, all, train, test, label, embedderId, tokenCounterId, options, progress, notes, false);
      // the alternatives' routers right after the main ones, so their pairs with the baselines read "router minus baseline"
      Map<String, NamedCurve> curves = new LinkedHashMap<>();
      curves.put(fitted.carrot, fitted.curves.get(fitted.carrot));
      if (fitted.curves.containsKey(EvaluationHarness.CARROT_KNN)) {
        curves.put(EvaluationHarness.CARROT_KNN, fitted.curves.get(EvaluationHarness.CARROT_KNN));
      }
      Fold main = new Fold(fitted.test, curves, fitted.carrot);
      for (int a = 0; a < alternatives.size(); a++) {
        Alternative alt = alternatives.get(a);
        Fold other = runFold(data, others.get(a), train, test, label + " [" + alt.label() + "]", alt.embedderId(), tokenCounterId,
            options, progress, notes, false);
        NamedCurve carrot = other.curves.get(other.carrot);
        main.curves.put(main.carrot + AT + alt.label(), new NamedCurve(carrot.curve(), alt.embedderId() + ": " + carrot.description(), true));
        // when auto chose knn itself in this fold, its reference is the router
        NamedCurve knn = other.curves.getOrDefault(EvaluationHarness.CARROT_KNN, carrot);
        main.curves.put(EvaluationHarness.CARROT_KNN + AT + alt.label(),
            new NamedCurve(knn.curve(), alt.embedderId() + ": " + knn.description(), true));
      }
      fitted.curves.forEach(curves::putIfAbsent);
      parts.add(main);
    }
    String compared = alternatives.isEmpty() ? "" : "; routers named <router>@<embedder> use that embedder's vectors on the same folds";
    return pool(data, "folds", k + "-fold cross-evaluation: every prompt is a test prompt once (" + all.rows.size() + " prompts,"
        + " folds stratified by source, seed " + options.seed() + compared + ")", parts, all.rows.size(), options, progress, notes);
  }

  /**
   * Leave-one-source-out: for each group of {@code heldOut} (every group when it is {@code ["all"]}),
   * the routers learn from the other groups and are measured on that one.
   */
  public static List<CrossEval> leaveOneSourceOut(
      Dataset data, SplitEmbeddings vectors, String embedderId, String tokenCounterId, EvalOptions options, SourceGroups groups,
      List<String> heldOut, ProgressListener progress) {
    AllRows all = allRows(data, vectors);
    Map<String, Integer> sizes = new TreeMap<>();
    for (PromptRecord r : all.rows) {
      sizes.merge(groups.groupOf(r.source()), 1, Integer::sum);
    }
    List<String> chosen = heldOut.equals(List.of("all")) ? List.copyOf(sizes.keySet()) : heldOut;
    if (sizes.size() < 2) {
      throw new CarrotException("dataset '" + data.name() + "' has " + sizes.size() + " source group " + sizes.keySet()
          + " (" + groups.description() + "); leaving one out needs at least 2");
    }
    List<CrossEval> out = new ArrayList<>();
    for (String g : chosen) {
      if (!sizes.containsKey(g)) {
        throw new CarrotException("--leave-out-source " + g + ": dataset '" + data.name() + "' has no such source group; its groups ("
            + groups.description() + ") are " + sizes.keySet());
      }
      List<Integer> train = new ArrayList<>();
      List<Integer> test = new ArrayList<>();
      for (int i = 0; i < all.rows.size(); i++) {
        (groups.groupOf(all.rows.get(i).source()).equals(g) ? test : train).add(i);
      }
      List<String> notes = new ArrayList<>();
      Fold part = runFold(data, all, train, test, "held out " + g, embedderId, tokenCounterId, options, progress, notes, true);
      CrossEval e = pool(data, g, "source group '" + g + "' held out (" + groups.description() + "): trained on the "
          + train.size() + " prompts of the other groups, tested on its " + part.test.size() + " complete prompts", List.of(part),
          train.size(), options, progress, notes);
      out.add(e);
    }
    return out;
  }

  /** One fold's test prompts and every trained router's curve on them. */
  private record Fold(List<PromptRecord> test, Map<String, NamedCurve> curves, String carrot) {}

  private static Fold runFold(
      Dataset d, AllRows all, List<Integer> trainIdx, List<Integer> testIdx, String label, String embedderId, String tokenCounterId,
      EvalOptions options, ProgressListener progress, List<String> notes, boolean zeroFromTrain) {
    List<PromptRecord> trainPool = new ArrayList<>();
    for (int i : trainIdx) {
      trainPool.add(all.rows.get(i));
    }
    int[] inner = deal(trainPool, INNER_VALIDATION_EVERY, options.seed() + 1, r -> r.source());
    List<PromptRecord> train = new ArrayList<>();
    List<PromptRecord> val = new ArrayList<>();
    List<float[]> trE = new ArrayList<>();
    List<float[]> vaE = new ArrayList<>();
    for (int j = 0; j < trainIdx.size(); j++) {
      boolean v = inner[j] == 0;
      (v ? val : train).add(trainPool.get(j));
      (v ? vaE : trE).add(all.vectors[trainIdx.get(j)]);
    }
    List<PromptRecord> test = new ArrayList<>();
    List<float[]> teE = new ArrayList<>();
    for (int i : testIdx) {
      if (all.rows.get(i).complete()) {
        test.add(all.rows.get(i));
        teE.add(all.vectors[i]);
      }
    }
    if (test.isEmpty() || train.isEmpty()) {
      throw new CarrotException(label + ": " + test.size() + " complete test prompts and " + train.size()
          + " training prompts; both must be non-empty");
    }
    ProgressListener p = (stage, done, total) -> progress.update(label + ": " + stage, done, total);
    List<String> foldNotes = new ArrayList<>();
    EvaluationHarness.Inputs in = new EvaluationHarness.Inputs(d, train, trE.toArray(float[][]::new), val,
        vaE.isEmpty() ? null : vaE.toArray(float[][]::new), test, teE.toArray(float[][]::new));
    FitAndSelect fit = FitAndSelect.run(d, in.trainRows(), in.trE(), in.valRows(), in.vaE(), in.teE(), null, embedderId, tokenCounterId,
        options, p, foldNotes);
    EvaluationHarness.Inputs complete = in.complete();
    EvalSet testSet = EvalSet.of(d, test);
    EvalSet valSet = complete.valRows().isEmpty() ? null : EvalSet.of(d, complete.valRows());
    Prediction[] pTest = fit.router().predictor().predictAll(in.teE());
    double[] mus = EvaluationHarness.grid(options.muSteps());
    Map<String, NamedCurve> curves = BaselineCurves.trained(d, fit, complete.trainRows(), complete.trE(), valSet, complete.vaE(), testSet,
        in.teE(), pTest, mus, options, p, foldNotes, new double[1][]);
    curves.put(BEST_ON_TRAIN, BaselineCurves.bestOnTrain(d, complete.trainRows(), testSet));
    if (zeroFromTrain) {
      curves.put(ZERO_FROM_TRAIN, BaselineCurves.zeroFromTrain(d, complete.trainRows(), testSet));
    } else {
      NamedCurve task = BaselineCurves.taskOnly(d, fit.router(), complete.trainRows(), test, testSet, mus);
      if (task != null) {
        curves.put(TASK_ONLY, task);
      }
    }
    if (fit.router().support().isPresent()) {
      // right after the router, so that its pairs read "with fallback minus baseline"
      Map<String, NamedCurve> ordered = new LinkedHashMap<>();
      String carrot = fit.carrotName();
      ordered.put(carrot, curves.remove(carrot));
      ordered.put(carrot + WITH_FALLBACK, new NamedCurve(
          BaselineCurves.muCurve(testSet, fit.router(), fit.router().predictAll(in.teE(), true), mus),
          "the same router with its support fallback on (as route does by default): predictions moved toward the training"
              + " priors where the prompt's support is low", true));
      ordered.putAll(curves);
      curves = ordered;
    }
    for (String n : foldNotes) {
      notes.add(label + ": " + n);
    }
    return new Fold(test, curves, fit.carrotName());
  }

  /** Pools the folds' test decisions, measures every router on them and compares every pair. */
  private static CrossEval pool(
      Dataset d, String name, String protocol, List<Fold> folds, int trainPrompts, EvalOptions options, ProgressListener progress,
      List<String> notes) {
    String carrot = folds.get(0).carrot;
    List<PromptRecord> rows = new ArrayList<>();
    for (Fold f : folds) {
      rows.addAll(f.test);
    }
    EvalSet pooled = EvalSet.of(d, rows);
    Map<String, NamedCurve> curves = new LinkedHashMap<>();
    // every fold's routers, in first-seen order: a fold where auto chose knn itself has no separate
    // CARROT-KNN reference, and if that fold is the first the reference must not drop out
    java.util.Set<String> names = new java.util.LinkedHashSet<>();
    for (Fold f : folds) {
      names.addAll(f.curves.keySet());
    }
    for (String router : names) {
      List<ChoiceCurve> parts = new ArrayList<>();
      for (Fold f : folds) {
        NamedCurve c = f.curves.get(router);
        if (c == null && router.equals(EvaluationHarness.CARROT_KNN)) {
          c = f.curves.get(carrot); // auto chose knn itself in this fold: the reference is the router
        }
        if (c != null) {
          parts.add((ChoiceCurve) c.curve());
        }
      }
      if (parts.size() == folds.size()) {
        int at = 0;
        while (!folds.get(at).curves.containsKey(router)) {
          at++; // one fold has it: the name came from there
        }
        NamedCurve first = folds.get(at).curves.get(router);
        String description = folds.size() == 1 ? first.description()
            : "fitted per fold, decisions pooled; fold " + (at + 1) + ": " + first.description();
        curves.put(router, new NamedCurve(ChoiceCurve.pool(pooled, parts), description, first.hasMu()));
      } else {
        notes.add(router + " is left out: it could not be built in " + (folds.size() - parts.size()) + " of " + folds.size() + " folds.");
      }
    }
    List<Point> singles = SingleModels.points(pooled, null);
    int best = Anchors.best(singles);
    int weak = Anchors.weak(singles);
    Anchors anchors = Anchors.of(singles, best, weak);
    BaselineCurves.blind(curves, pooled, d.models(), best, weak);
    BootstrapMetrics measured = BootstrapMetrics.measure(curves, anchors)
        .resample(pooled, curves, best, weak, options.bootstrap(), options.seed(), progress);
    Map<String, Map<String, Interval>> ci = measured.resampled() ? measured.intervals() : Map.of();
    Map<String, String> descriptions = new LinkedHashMap<>();
    curves.forEach((n, c) -> descriptions.put(n, c.description()));
    List<String> compared = new ArrayList<>(curves.keySet());
    compared.remove(BaselineCurves.ORACLE);
    List<Difference> pairs = new ArrayList<>();
    for (String metric : List.of("aiq", "accuracy_mu0")) {
      for (int a = 0; a < compared.size(); a++) {
        for (int b = a + 1; b < compared.size(); b++) {
          String ra = compared.get(a);
          String rb = compared.get(b);
          if (!comparable(ra, rb)) {
            continue;
          }
          double est = value(measured.metrics().get(ra), metric) - value(measured.metrics().get(rb), metric);
          if (Double.isNaN(est)) {
            continue; // the metric does not apply to one of them (no mu = 0 setting)
          }
          pairs.add(new Difference(ra, rb, metric, est,
              measured.resampled() ? BootstrapMetrics.percentile(measured.pairedDifference(ra, rb, metric)) : null));
        }
      }
    }
    return new CrossEval(name, protocol, carrot, rows.size(), trainPrompts, d.models().get(best), measured.metrics(), ci, descriptions,
        pairs, notes);
  }

  /**
   * Pairs worth an interval: any pair with a router of the main embedder, and two routers of the same
   * alternative embedder (two alternatives' routers are each compared with the main embedder's).
   */
  private static boolean comparable(String a, String b) {
    int ia = a.indexOf(AT);
    int ib = b.indexOf(AT);
    return ia < 0 || ib < 0 || a.substring(ia).equals(b.substring(ib));
  }

  private static double value(RouterMetrics m, String metric) {
    return m.asMap().get(metric);
  }

  /**
   * Deals {@code rows} into {@code k} groups: by source in sorted order, each source's rows
   * shuffled with {@code seed}, dealt round-robin with the count carried across sources.
   */
  static int[] deal(List<PromptRecord> rows, int k, long seed, java.util.function.Function<PromptRecord, String> source) {
    Map<String, List<Integer>> bySource = new TreeMap<>();
    for (int i = 0; i < rows.size(); i++) {
      String s = source.apply(rows.get(i));
      bySource.computeIfAbsent(s == null ? "" : s, x -> new ArrayList<>()).add(i);
    }
    int[] out = new int[rows.size()];
    SplittableRandom rnd = new SplittableRandom(seed);
    int next = 0;
    for (List<Integer> idx : bySource.values()) {
      for (int i = idx.size() - 1; i > 0; i--) {
        int j = rnd.nextInt(i + 1);
        Integer t = idx.get(i);
        idx.set(i, idx.get(j));
        idx.set(j, t);
      }
      for (int i : idx) {
        out[i] = next++ % k;
      }
    }
    return out;
  }
}
