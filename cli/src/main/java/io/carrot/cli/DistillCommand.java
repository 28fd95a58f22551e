package io.carrot.cli;

import io.carrot.embed.OnnxModel;
import io.carrot.embed.StaticDistiller;
import io.carrot.embed.StaticEmbedder;
import io.carrot.embed.StaticTable;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "distill",
    mixinStandardHelpOptions = true,
    description = {
      "Distill the fast static embedder from the in-process transformer: embed every vocabulary token,",
      "reduce the dimension by PCA, weight tokens by a Zipf prior (smooth inverse frequency) and store the",
      "rows as int8 with their provenance. Reproduces the shipped table (" + StaticEmbedder.SHIPPED_RESOURCE + ")",
      "with the defaults; takes a few minutes on 2 cores."
    })
final class DistillCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Table file to write.")
  Path out;

  @Option(names = "--dimension", defaultValue = "256", paramLabel = "D",
      description = "Columns kept by PCA (default: ${DEFAULT-VALUE}).")
  int dimension;

  @Option(names = "--quantized-source", description = "Distill from the int8 all-MiniLM-L6-v2 instead of the float32 one.")
  boolean quantized;

  @Override
  public Integer call() {
    OnnxModel model = quantized ? OnnxModel.ALL_MINILM_L6_V2_Q : OnnxModel.ALL_MINILM_L6_V2;
    String command = "carrot embed distill --dimension " + dimension + (quantized ? " --quantized-source" : "");
    Progress[] bar = new Progress[1];
    String[] stage = new String[1];
    StaticTable t = StaticDistiller.distill(model, dimension, command, (s, done, total) -> {
      if (!s.equals(stage[0])) {
        stage[0] = s;
        bar[0] = new Progress(spec.commandLine().getErr(), s.length() > 22 ? s.substring(0, 22) : s, total);
      }
      bar[0].update(done);
    });
    t.write(out);
    spec.commandLine().getOut().printf("wrote %s: %d tokens x %d dimensions (%s, %s)%n",
        out, t.vocabSize(), t.dimension(), t.id(), t.provenance().path("pca").toString());
    return 0;
  }
}
