package io.carrot.cli;

import io.carrot.core.CarrotException;
import io.carrot.core.data.Dataset;
import io.carrot.core.eval.NewModelStudy;
import io.carrot.core.files.AtomicFiles;
import io.carrot.core.train.Estimators;
import io.carrot.report.NewModelReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "new-model",
    mixinStandardHelpOptions = true,
    description = {
      "How many labelled prompts a new model needs: keep MODEL's entries on only N random train + validation",
      "prompts (the other models keep all of theirs), train a router, and compare its test AIQ with the router",
      "that never saw MODEL and the one that saw every label. Writes new-model.csv (every run), new-model.md",
      "(mean per N, and the fewest labels closing 90%% of the AIQ gain) and new-model.png to --out."
    })
final class NewModelCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin DataOptions data = new DataOptions();

  @Option(names = "--model", required = true, paramLabel = "NAME", description = "The model treated as new.")
  String model;

  @Option(names = "--labels", split = ",", defaultValue = "25,50,100,200,400,800", paramLabel = "N,...",
      description = "Label counts to try (default: ${DEFAULT-VALUE}); counts above the labelled prompts are an error.")
  List<Integer> labels;

  @Option(names = "--seeds", defaultValue = "3", paramLabel = "N", description = "Random subsamples per count (default: ${DEFAULT-VALUE}).")
  int seeds;

  @Option(names = "--estimator", defaultValue = "knn", paramLabel = "NAME", description = "Estimator (default: ${DEFAULT-VALUE}).")
  String estimator;

  @Option(names = "--k", defaultValue = "auto", paramLabel = "auto|N", description = "k of knn estimators (default: ${DEFAULT-VALUE}).")
  String k;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
  Path out;

  @Override
  public Integer call() throws IOException {
    var est = Estimators.get(estimator);
    if (seeds < 1) {
      throw new CarrotException("--seeds must be >= 1, got " + seeds);
    }
    Dataset d = data.read();
    d.modelIndex(model);
    PrintWriter err = spec.commandLine().getErr();
    EvalCommand.StageProgress progress = new EvalCommand.StageProgress(err);
    NewModelStudy.Result r;
    try (PromptVectors vectors = new PromptVectors(data, err)) {
      r = NewModelStudy.run(d, (split, rows) -> vectors.of(rows, "embedding " + split.key()), model,
          labels.stream().mapToInt(Integer::intValue).toArray(), seeds, estimator, est, Map.of("k", k),
          vectors.embedderId(), progress);
    }
    progress.finish();
    Files.createDirectories(out);
    AtomicFiles.writeString(out.resolve("new-model.csv"), NewModelReport.csv(r));
    String md = NewModelReport.markdown(r);
    AtomicFiles.writeString(out.resolve("new-model.md"), md);
    byte[] png = NewModelReport.plot(r);
    AtomicFiles.write(out.resolve("new-model.png"), o -> o.write(png));
    spec.commandLine().getOut().print(md);
    return 0;
  }
}
