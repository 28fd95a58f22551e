package io.carrot.cli;

import io.carrot.core.CarrotException;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.files.FloatArrays;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "embed",
    mixinStandardHelpOptions = true,
    description = {
      "Export the embedding of every prompt of a dataset: float32 little-endian, row-major, one row per prompt,",
      "with the prompt ids one per line in FILE.f32.ids. train and eval read them back with --embeddings."
    })
final class EmbedCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin DataOptions data = new DataOptions();

  @Option(names = "--out", required = true, paramLabel = "FILE.f32", description = "Output file.")
  Path out;

  @Override
  public Integer call() {
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
