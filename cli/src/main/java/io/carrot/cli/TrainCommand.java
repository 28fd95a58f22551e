package io.carrot.cli;

import io.carrot.core.data.Dataset;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.core.io.RouterFile;
import io.carrot.core.predict.KnnPredictor;
import io.carrot.core.predict.KnnTrainer;
import io.carrot.core.route.Router;
import io.carrot.core.train.RouterTrainer;
import io.carrot.embed.Cl100kTokenCounter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
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
    description = "Train a CARROT-KNN router on a dataset and save it as a router file.")
final class TrainCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin DataOptions data = new DataOptions();

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Router file to write (.carrot).")
  Path out;

  @Option(names = "--k", defaultValue = "auto", paramLabel = "auto|N",
      description = "Neighbours: 'auto' picks k by 5-fold CV on the training prompts (default: ${DEFAULT-VALUE}).")
  String k;

  @Option(names = "--splits", defaultValue = "train", paramLabel = "train|train+validation",
      description = "Which splits to fit on (default: ${DEFAULT-VALUE}).")
  String splits;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Dataset d = data.read();
    List<PromptRecord> rows = new ArrayList<>(d.requireRows(Split.TRAIN));
    if (splits.equals("train+validation")) {
      rows.addAll(d.rows(Split.VALIDATION));
    } else if (!splits.equals("train")) {
      throw new io.carrot.core.CarrotException("--splits must be 'train' or 'train+validation', got '" + splits + "'");
    }
    KnnTrainer trainer = KOption.trainer(k);
    try (Vectors vectors = new Vectors(data, err)) {
      float[][] e = vectors.of(rows, "embedding " + rows.size());
      Progress cv = new Progress(err, "choosing k (5-fold CV)", trainer.cvQueryCount(rows.size()));
      Map<String, String> extra = new LinkedHashMap<>();
      extra.put("splits", splits);
      extra.put("models", String.join(",", d.models()));
      Router r = RouterTrainer.train(d, rows, e, trainer, vectors.embedderId(), new Cl100kTokenCounter().id(), extra, cv::update);
      if (trainer.cvQueryCount(rows.size()) > 0) {
        cv.done();
      }
      RouterFile.save(r, out);
      spec.commandLine().getOut().printf(
          "trained %s on %d prompts x %d models of %s (k = %d, embedder %s) -> %s%n",
          r.predictor().kind(), rows.size(), d.modelCount(), d.name(), ((KnnPredictor) r.predictor()).k(), r.provenance().embedderId(), out);
    }
    return 0;
  }
}
