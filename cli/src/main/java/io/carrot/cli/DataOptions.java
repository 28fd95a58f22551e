package io.carrot.cli;

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

  @Option(names = "--embedder", paramLabel = "NAME",
      description = "Embedder: minilm (default), minilm-q, bge-small[-q], e5-small[-q] (each with :<head|tail|head-tail|chunk-mean|splice>[-N]), fast (static-minilm, microseconds a prompt), static:<file>, openai:<model>[@url].")
  String embedder;

  @Option(names = "--embeddings", paramLabel = "FILE.f32",
      description = "Precomputed embeddings (float32 LE rows, ids in FILE.f32.ids) instead of embedding prompts.")
  Path embeddings;

  Dataset read() {
    Dataset d = DatasetReader.read(data);
    return models == null ? d : d.withModels(models);
  }
}
