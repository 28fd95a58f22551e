package io.carrot.cli;

import io.carrot.core.CarrotException;
import io.carrot.core.ProgressListener;
import io.carrot.core.curve.BudgetCurves;
import io.carrot.core.curve.EvalSet;
import io.carrot.core.data.Boilerplate;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.core.io.RouterFile;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.route.Router;
import io.carrot.core.train.AutoSelect;
import io.carrot.core.train.Estimator;
import io.carrot.core.train.Estimators;
import io.carrot.core.train.RouterTrainer;
import io.carrot.embed.Cl100kTokenCounter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Train a router on a dataset and save it as a router file.",
      "By default (--estimator auto) every estimator is fitted on train and the one whose router has the best",
      "AIQ on the validation split is kept; knn is the paper's CARROT-KNN (k by 5-fold CV); all but knn choose",
      "weights and calibrate on the validation split (see docs/ROUTER.md)."
    })
final class TrainCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin DataOptions data = new DataOptions();

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Router file to write (.carrot).")
  Path out;

  @Option(names = "--estimator", defaultValue = AutoSelect.NAME, paramLabel = "NAME", completionCandidates = EstimatorNames.class,
      description = "One of ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}: the best validation AIQ; without a validation split, knn).")
  String estimator;

  @Option(names = "--k", defaultValue = "auto", paramLabel = "auto|N",
      description = "Neighbours: 'auto' picks k by 5-fold CV on the training prompts (default: ${DEFAULT-VALUE}).")
  String k;

  @Option(names = "--splits", defaultValue = "train", paramLabel = "train|train+validation",
      description = "Which splits to fit on (default: ${DEFAULT-VALUE}); estimators other than knn need validation held out.")
  String splits;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Estimators.get(estimator); // an unknown name fails before any slow work
    Estimators.knnTrainer(k); // validates --k before any slow work
    Dataset d = data.read();
    List<PromptRecord> rows = new ArrayList<>(d.requireRows(Split.TRAIN));
    List<PromptRecord> validation = d.rows(Split.VALIDATION);
    boolean named = spec.commandLine().getParseResult().hasMatchedOption("--estimator");
    if (!named && estimator.equals(AutoSelect.NAME)
        && (splits.equals("train+validation") || EvalSet.completeRows(validation).isEmpty())) {
      // the default compares estimators on validation; without one, the paper's estimator needs none
      estimator = "knn";
      err.println("note: no validation prompts to compare estimators on, so this trains the paper's CARROT-KNN"
          + " (--estimator knn); give the dataset a validation split for --estimator auto");
    }
    Estimator est = Estimators.get(estimator);
    if (splits.equals("train+validation")) {
      if (!estimator.equals("knn")) {
        throw new CarrotException("--splits train+validation leaves no validation prompts for --estimator " + estimator + "; use --splits train");
      }
      rows.addAll(validation);
      validation = List.of();
    } else if (!splits.equals("train")) {
      throw new CarrotException("--splits must be 'train' or 'train+validation', got '" + splits + "'");
    }
    try (PromptVectors vectors = new PromptVectors(data, err)) {
      float[][] e = vectors.of(rows, "embedding " + rows.size());
      float[][] valEmbeddings = validation.isEmpty() ? null : vectors.of(validation, "embedding validation");
      TrainingSet val = valEmbeddings == null ? null : RouterTrainer.trainingSet(d, validation, valEmbeddings);
      Map<String, String> settings = new HashMap<>();
      settings.put("k", k);
      Map<String, Progress> bars = new java.util.concurrent.ConcurrentHashMap<>();
      ProgressListener progress = (stage, done, total) -> {
        Progress p = bars.computeIfAbsent(stage, s -> new Progress(err, s, total));
        p.update(done);
      };
      Map<String, String> extra = new LinkedHashMap<>();
      extra.put("splits", splits);
      extra.put("estimator", estimator);
      extra.put("k", k);
      extra.put("models", String.join(",", d.models()));
      if (data.stripBoilerplate) {
        extra.put(Boilerplate.PROVENANCE_KEY, Boilerplate.PROVENANCE);
      }
      Router r;
      String trained = estimator;
      if (est instanceof AutoSelect) { // every candidate's validation result is printed
        AutoSelect.Selection sel = AutoSelect.select(RouterTrainer.trainingSet(d, rows, e), val, settings, progress);
        String how = sel.crossFitted() ? "cross-fitted validation" : "validation";
        for (AutoSelect.Trial t : sel.trials()) {
          spec.commandLine().getOut().printf(java.util.Locale.ROOT, "  %-20s %s AIQ %.4f, accuracy at mu = 0 %.4f%s%n",
              t.estimator(), how, t.validationAiq(), t.validationAccuracyMu0(), t == sel.best() ? "  <- chosen" : "");
        }
        extra.put("estimator", sel.best().estimator());
        r = RouterTrainer.train(d, rows, e, ts -> sel.best().predictor(), 42, vectors.embedderId(), new Cl100kTokenCounter().id(), extra);
        trained = "auto (chose " + sel.best().estimator() + ")";
      } else {
        r = RouterTrainer.train(d, rows, e, ts -> est.fit(ts, val, settings, progress), 42, vectors.embedderId(),
            new Cl100kTokenCounter().id(), extra);
      }
      if (valEmbeddings != null && !EvalSet.completeRows(validation).isEmpty()) {
        // spend by mu on validation (prompts where every model has an entry), so 'route --budget' picks mu instantly;
        // measured on the predictions routing uses (with the support fallback, on by default)
        r = r.withBudgetCurve(BudgetCurves.measure(EvalSet.of(d, EvalSet.completeRows(validation)), r,
            r.predictAll(EvalSet.completeEmbeddings(validation, valEmbeddings), true), BudgetCurves.STEPS));
      }
      RouterFile.save(r, out);
      Object kk = r.predictor().hyperParameters().get("k");
      spec.commandLine().getOut().printf(
          "trained %s on %d prompts x %d models of %s (%sembedder %s) -> %s%n",
          trained, rows.size(), d.modelCount(), d.name(), kk == null ? "" : "k = " + kk + ", ", r.provenance().embedderId(), out);
    }
    return 0;
  }
}
