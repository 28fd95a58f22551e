package io.carrot.cli;

import io.carrot.api.Evaluator;
import io.carrot.core.CarrotException;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.core.eval.EvalSet;
import io.carrot.core.eval.Point;
import io.carrot.core.io.AtomicFiles;
import io.carrot.core.io.RouterFile;
import io.carrot.core.predict.KnnTrainer;
import io.carrot.core.route.Router;
import io.carrot.core.train.RouterTrainer;
import io.carrot.embed.Cl100kTokenCounter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluate a router on the test split: accuracy at mu = 0 vs the best single model and the oracle,",
      "output-token MAE, and the (cost, quality) frontier over a mu grid (CSV).",
      "Without --router, fits CARROT-KNN on the train split first."
    })
final class EvalCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin DataOptions data = new DataOptions();

  @Option(names = "--router", paramLabel = "FILE", description = "Router to evaluate (default: fit one on train).")
  Path router;

  @Option(names = "--k", defaultValue = "auto", paramLabel = "auto|N", description = "k when fitting (default: ${DEFAULT-VALUE}).")
  String k;

  @Option(names = "--mu-grid", defaultValue = "1000", paramLabel = "N", description = "mu steps in [0, 1] (default: ${DEFAULT-VALUE}).")
  int muSteps;

  @Option(names = "--frontier", paramLabel = "FILE.csv", description = "Write the frontier as CSV (router, mu, cost, quality).")
  Path frontierCsv;

  @Override
  public Integer call() {
    if (muSteps < 1) {
      throw new CarrotException("--mu-grid must be >= 1, got " + muSteps);
    }
    PrintWriter err = spec.commandLine().getErr();
    Dataset d = data.read();
    Router r;
    try (Vectors vectors = new Vectors(data, err)) {
      if (router != null) {
        r = RouterFile.load(router);
        List<String> dataModels = d.models();
        if (!dataModels.containsAll(r.models())) {
          throw new CarrotException(
              "the router was trained on models " + r.models() + " but dataset '" + d.name() + "' lacks "
                  + r.models().stream().filter(m -> !dataModels.contains(m)).toList());
        }
        d = d.withModels(r.models());
        if (data.embeddings == null && data.embedder == null) {
          data.embedder = r.provenance().embedderId();
        }
      } else {
        List<PromptRecord> train = d.requireRows(Split.TRAIN);
        KnnTrainer trainer = KOption.trainer(k);
        float[][] e = vectors.of(train, "embedding train");
        Progress cv = new Progress(err, "choosing k (5-fold CV)", trainer.cvQueryCount(train.size()));
        r = RouterTrainer.train(d, train, e, trainer, vectors.embedderId(), new Cl100kTokenCounter().id(), Map.of(), cv::update);
      }
      List<PromptRecord> testRows = d.requireRows(Split.TEST);
      float[][] te = vectors.of(testRows, "embedding test");
      Evaluator.Report rep = Evaluator.evaluate(d, EvalSet.of(d, testRows), r, te, muSteps);
      print(spec.commandLine().getOut(), rep, r);
      if (frontierCsv != null) {
        StringBuilder sb = new StringBuilder("router,mu,mean_cost_usd,mean_quality\n");
        for (Point p : rep.frontier()) {
          sb.append(String.format(Locale.ROOT, "carrot-%s,%.4f,%.9g,%.6f%n", r.predictor().kind(), p.param(), p.cost(), p.quality()));
        }
        AtomicFiles.writeString(frontierCsv, sb.toString());
      }
    }
    return 0;
  }

  private static void print(PrintWriter out, Evaluator.Report rep, Router r) {
    out.printf(Locale.ROOT, "dataset %s: %d test prompts, %d models, router %s %s (embedder %s)%n",
        rep.dataset(), rep.nTest(), r.models().size(), r.predictor().kind(), r.predictor().hyperParameters().get("k") == null ? "" : "k=" + r.predictor().hyperParameters().get("k"), r.provenance().embedderId());
    out.printf(Locale.ROOT, "  %-34s %8s %12s%n", "", "quality", "cost/prompt");
    out.printf(Locale.ROOT, "  %-34s %8.4f %12.4e%n", "carrot at mu = 0", rep.accuracyMu0(), rep.costMu0());
    out.printf(Locale.ROOT, "  %-34s %8.4f %12.4e%n", "best single: " + rep.bestSingleModel(), rep.bestSingleQuality(), rep.bestSingleCost());
    out.printf(Locale.ROOT, "  %-34s %8.4f %12.4e%n", "oracle", rep.oracleQuality(), rep.oracleCost());
    out.printf(Locale.ROOT, "  output-token MAE: %.1f%n", rep.outputTokenMae());
    if (Double.isNaN(rep.costFractionToMatchBest())) {
      out.println("  the frontier does not reach the best single model's quality");
    } else {
      out.printf(Locale.ROOT, "  matches the best single model's quality at %.1f%% of its cost%n", 100 * rep.costFractionToMatchBest());
    }
  }
}
