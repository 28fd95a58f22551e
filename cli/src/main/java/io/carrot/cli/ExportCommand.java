package io.carrot.cli;

import io.carrot.collect.parquet.ParquetExporter;
import io.carrot.core.CarrotException;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.DatasetReader;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = "Write a dataset in another format: parquet (SPROUT's layout, one row per prompt, a struct per model;"
        + " 'carrot import sprout' reads it back unchanged).")
final class ExportCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FORMAT", description = "parquet")
  String format;

  @Option(names = "--data", required = true, paramLabel = "DIR", description = "Dataset folder to export.")
  Path data;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "File to write.")
  Path out;

  @Option(names = "--compression", defaultValue = "snappy", paramLabel = "snappy|gzip|zstd|none",
      description = "Parquet compression (default: ${DEFAULT-VALUE}).")
  String compression;

  @Override
  public Integer call() {
    if (!format.toLowerCase(Locale.ROOT).equals("parquet")) {
      throw new CarrotException("export format '" + format + "'; expected parquet");
    }
    var codec = ParquetExporter.codec(compression);
    Dataset d = DatasetReader.read(data);
    ParquetExporter.export(d, out, codec);
    spec.commandLine().getOut().printf("exported %d prompts x %d models of %s -> %s%n", d.prompts().size(), d.modelCount(), d.name(), out);
    return 0;
  }
}
