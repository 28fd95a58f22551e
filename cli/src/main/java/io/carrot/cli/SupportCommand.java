package io.carrot.cli;

import io.carrot.core.CarrotException;
import io.carrot.core.data.Boilerplate;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.core.io.RouterFile;
import io.carrot.core.route.Router;
import io.carrot.core.route.Support;
import io.carrot.core.train.RouterTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "support",
    mixinStandardHelpOptions = true,
    description = {
      "Add the support section to a router file trained before it existed, without retraining: the same",
      "predictor, prices and provenance, plus the training prompts' coverage and the model priors, recomputed",
      "from the dataset the router was trained on (checked by its hash). The result is deterministic."
    })
final class SupportCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin DataOptions data = new DataOptions();

  @Option(names = "--router", required = true, paramLabel = "FILE", description = "Router file to add the section to.")
  Path router;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Router file to write (may be --router).")
  Path out;

  @Override
  public Integer call() {
    Router r = RouterFile.load(router);
    var prov = r.provenance();
    // the support section must see the prompts the router was trained on
    data.stripBoilerplate |= Boilerplate.recordedIn(prov.extra());
    Dataset d = data.read();
    if (!d.sha256().equals(prov.datasetSha256())) {
      throw new CarrotException("the router was trained on dataset '" + prov.dataset() + "' with hash " + prov.datasetSha256()
          + ", but " + data.data + " has hash " + d.sha256() + "; pass the dataset it was trained on");
    }
    if (!d.models().equals(r.models())) {
      throw new CarrotException("the router routes among " + r.models() + ", the dataset has " + d.models()
          + "; pass --models with the router's models");
    }
    List<PromptRecord> rows = new ArrayList<>(d.requireRows(Split.TRAIN));
    String splits = prov.extra().getOrDefault("splits", "train");
    if (splits.equals("train+validation")) {
      rows.addAll(d.rows(Split.VALIDATION));
    }
    if (rows.size() != prov.trainPrompts()) {
      throw new CarrotException("the router was fitted on " + prov.trainPrompts() + " prompts, the dataset's " + splits
          + " split has " + rows.size());
    }
    try (PromptVectors vectors = new PromptVectors(data, spec.commandLine().getErr())) {
      if (!vectors.embedderId().equals(prov.embedderId())) {
        throw new CarrotException("the router was trained on vectors from '" + prov.embedderId() + "', this command would use '"
            + vectors.embedderId() + "'; pass --embedder or --embeddings for the router's");
      }
      Support s = RouterTrainer.support(d, rows, vectors.of(rows, "embedding " + rows.size()), prov.seed());
      if (s == null) {
        throw new CarrotException("support needs at least 2 training prompts, the router has " + rows.size());
      }
      RouterFile.save(r.withSupport(s), out);
      spec.commandLine().getOut().printf(java.util.Locale.ROOT,
          "added support (%d of %d training prompts kept, low below similarity %.4f, full weight from %.4f) -> %s%n",
          s.sample().length, s.trainRows(), s.fence(), s.fullWeightFrom(), out);
    }
    return 0;
  }
}
