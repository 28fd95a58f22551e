package io.carrot.cli;

import io.carrot.core.CarrotException;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.files.FloatArrays;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "embed",
    mixinStandardHelpOptions = true,
    subcommands = DistillCommand.class,
    description = {
      "Export the embedding of every prompt of a dataset: float32 little-endian, row-major, one row per prompt,",
      "with the prompt ids one per line in FILE.f32.ids. train and eval read them back with --embeddings."
    })
final class EmbedCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  // a group rather than a mixin, so that its required --data does not apply to `embed distill`
  @ArgGroup(exclusive = false, multiplicity = "0..1") DataOptions data;

  @Option(names = "--out", paramLabel = "FILE.f32", description = "Output file (required).")
  Path out;

  @Override
  public Integer call() {
    if (data == null || out == null) {
      throw new CarrotException("embed needs --data DIR and --out FILE.f32 (the dataset and where to write its vectors)");
    }
    if (data.embeddings != null) {
      throw new CarrotException("embed computes embeddings; --embeddings does not apply here");
    }
    Dataset d = data.read();
    List<PromptRecord> rows = d.prompts();
    try (PromptVectors vectors = new PromptVectors(data, spec.commandLine().getErr())) {
      float[][] v = vectors.of(rows, "embedding " + rows.size());
      FloatArrays.writeMatrix(out, rows.stream().map(PromptRecord::id).toList(), v);
      spec.commandLine().getOut().printf("wrote %d x %d embeddings (%s) to %s and %s.ids%n",
          v.length, v[0].length, vectors.embedderId(), out, out.getFileName());
    }
    return 0;
  }
}
