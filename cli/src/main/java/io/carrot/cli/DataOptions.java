package io.carrot.cli;

import io.carrot.core.data.Boilerplate;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.DatasetReader;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by commands that read a dataset and its embeddings. */
final class DataOptions {
  @Option(names = "--data", required = true, paramLabel = "DIR",
      description = "Dataset folder (prompts.jsonl.gz, models.json, split.json).")
  Path data;

  @Option(names = "--models", split = ",", paramLabel = "a,b,...",
      description = "Use only these models of the dataset.")
  List<String> models;

  /** The {@code --embedder} help text, shared by every command that takes one. */
  static final String EMBEDDER_HELP = "Embedder: minilm-q (default: all-MiniLM-L6-v2 in int8), minilm (the same in float32), bge-small[-q],"
      + " e5-small[-q] (each with :<head|tail|head-tail|chunk-mean|splice>[-N]), fast (static-minilm, microseconds a prompt),"
      + " static:<file>, openai:<model>[@url], features (cheap prompt features), concat:<a>+<b>[+...] (side by side, e.g."
      + " concat:minilm-q+features).";

  @Option(names = "--embedder", paramLabel = "NAME",
      description = EMBEDDER_HELP)
  String embedder;

  @Option(names = "--embeddings", paramLabel = "FILE.f32",
      description = "Precomputed embeddings (float32 LE rows, ids in FILE.f32.ids) instead of embedding prompts.")
  Path embeddings;

  @Option(names = "--strip-boilerplate",
      description = "Remove each source's shared lines (in more than half of its prompts: answer templates, few-shot examples) before"
          + " embedding, so the router learns from the questions; recorded in the router file.")
  boolean stripBoilerplate;

  Dataset read() {
    Dataset d = DatasetReader.read(data);
    if (stripBoilerplate) {
      d = Boilerplate.strip(d);
    }
    return models == null ? d : d.withModels(models);
  }
}
