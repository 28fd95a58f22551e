package io.carrot.cli;

import io.carrot.collect.dataset.DatasetWriter;
import io.carrot.collect.imports.ImportOptions;
import io.carrot.collect.imports.ImportResult;
import io.carrot.collect.imports.Importer;
import io.carrot.collect.imports.Importers;
import io.carrot.collect.imports.PriceFiles;
import io.carrot.core.CarrotException;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.Split;
import io.carrot.embed.Cl100kTokenCounter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Convert another routing dataset's layout into a carrot dataset folder (prompts, prices, split, README with provenance).",
      "Formats: sprout (Parquet), routerbench (CSV), routerdc (JSON), llmrouter (JSONL); docs/collect.md lists the exact layouts."
    })
final class ImportCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FORMAT", description = "sprout, routerbench, routerdc or llmrouter.")
  String format;

  @Option(names = "--in", required = true, arity = "1..*", paramLabel = "FILE",
      description = "Input files of that format (e.g. the train and the test file); repeat or list several.")
  List<Path> in;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Dataset folder to write.")
  Path out;

  @Option(names = "--prices", paramLabel = "FILE",
      description = "Prices: a carrot models.json, or LLMRouter's LLM file (input_price/output_price per model).")
  Path prices;

  @Option(names = "--output-tokens", paramLabel = "N",
      description = "Output tokens to assume per answer where the format records none (routerdc); marked ASSUMED in the README.")
  Integer outputTokens;

  @Override
  public Integer call() {
    Importer importer = Importers.named(format);
    for (Path f : in) {
      if (!Files.isRegularFile(f)) {
        throw new CarrotException("--in " + f + " does not exist; expected " + importer.accepts());
      }
    }
    if (prices != null && !Files.isRegularFile(prices)) {
      throw new CarrotException("--prices " + prices + " does not exist; expected a models.json of model -> {input_per_mtok, output_per_mtok}");
    }
    String name = out.toAbsolutePath().normalize().getFileName().toString();
    ImportOptions opts = new ImportOptions(name, prices == null ? null : PriceFiles.read(prices), outputTokens, new Cl100kTokenCounter());
    ImportResult r = importer.read(in, opts);
    DatasetWriter.write(r.dataset(), r.readme(), out);
    Dataset d = r.dataset();
    spec.commandLine().getOut().printf("imported %d prompts x %d models from %s -> %s (train %d, validation %d, test %d)%n",
        d.prompts().size(), d.modelCount(), importer.name(), out,
        d.rows(Split.TRAIN).size(), d.rows(Split.VALIDATION).size(), d.rows(Split.TEST).size());
    return 0;
  }
}
