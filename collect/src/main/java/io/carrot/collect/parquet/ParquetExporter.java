package io.carrot.collect.parquet;

import io.carrot.core.CarrotException;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.core.files.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * Writes a carrot dataset as one Parquet table in SPROUT's layout, so that {@code carrot import
 * sprout} reads it back unchanged and pandas/pyarrow/DuckDB users get one row per prompt.
 *
 * <p>Columns: {@code id}, {@code prompt}, {@code source}, {@code split} (train, validation, test,
 * or null when the prompt is in none) and {@code split_rank} (its position in that split's id list,
 * so split.json's order survives), then per model a struct named after the model with {@code
 * score} (double), {@code num_input_tokens} and {@code num_output_tokens} (int64 when every value is
 * whole, else double) and, when the dataset records it, {@code cost} (double, USD). The file's
 * key-value metadata holds {@code carrot.models_json} (the price table, as models.json), {@code
 * carrot.dataset} and {@code carrot.sha256}.
 */
public final class ParquetExporter {
  public static final String FORMAT = "carrot-dataset-parquet/1";
  public static final String KEY_FORMAT = "carrot.format";
  public static final String KEY_MODELS = "carrot.models_json";
  private static final Set<String> RESERVED = Set.of("id", "prompt", "source", "split", "split_rank", "dataset");

  private ParquetExporter() {}

  public static void export(Dataset d, Path file, CompressionCodecName codec) {
    for (String m : d.models()) {
      if (RESERVED.contains(m)) {
        throw new CarrotException("model '" + m + "' has the name of a Parquet column (" + RESERVED + "); rename it to export");
      }
    }
    boolean[] wholeIn = new boolean[d.modelCount()];
    boolean[] wholeOut = new boolean[d.modelCount()];
    java.util.Arrays.fill(wholeIn, true);
    java.util.Arrays.fill(wholeOut, true);
    boolean hasCost = false;
    for (PromptRecord r : d.prompts()) {
      hasCost |= r.cost() != null;
      for (int m = 0; m < d.modelCount(); m++) {
        wholeIn[m] &= r.inputTokens()[m] == Math.rint(r.inputTokens()[m]);
        wholeOut[m] &= r.outputTokens()[m] == Math.rint(r.outputTokens()[m]);
      }
    }
    Types.MessageTypeBuilder b = Types.buildMessage();
    b.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("id");
    b.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("prompt");
    b.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("source");
    b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("split");
    b.optional(PrimitiveTypeName.INT64).named("split_rank");
    for (int m = 0; m < d.modelCount(); m++) {
      var g = Types.optionalGroup();
      g.required(PrimitiveTypeName.DOUBLE).named("score");
      g.required(wholeIn[m] ? PrimitiveTypeName.INT64 : PrimitiveTypeName.DOUBLE).named("num_input_tokens");
      g.required(wholeOut[m] ? PrimitiveTypeName.INT64 : PrimitiveTypeName.DOUBLE).named("num_output_tokens");
      if (hasCost) {
        g.optional(PrimitiveTypeName.DOUBLE).named("cost");
      }
      b.addField(g.named(d.models().get(m)));
    }
    MessageType schema = b.named("carrot_dataset");
    Map<Integer, String> splitOf = new java.util.HashMap<>();
    Map<Integer, Long> rankOf = new java.util.HashMap<>();
    for (Split s : Split.values()) {
      int[] idx = d.split().getOrDefault(s, new int[0]);
      for (int k = 0; k < idx.length; k++) {
        splitOf.put(idx[k], s.key());
        rankOf.put(idx[k], (long) k);
      }
    }
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(KEY_FORMAT, FORMAT);
    meta.put("carrot.dataset", d.name());
    meta.put("carrot.sha256", d.sha256());
    try {
      meta.put(KEY_MODELS, Json.COMPACT.writeValueAsString(d.prices().toJson()));
    } catch (IOException e) {
      throw new CarrotException("cannot encode the price table: " + e.getMessage(), e);
    }
    SimpleGroupFactory f = new SimpleGroupFactory(schema);
    final boolean cost = hasCost;
    ParquetTables.write(file, schema, meta, codec, w -> {
      for (int i = 0; i < d.prompts().size(); i++) {
        PromptRecord r = d.prompts().get(i);
        Group g = f.newGroup().append("id", r.id()).append("prompt", r.prompt()).append("source", r.source());
        if (splitOf.containsKey(i)) {
          g.append("split", splitOf.get(i)).append("split_rank", rankOf.get(i));
        }
        for (int m = 0; m < d.modelCount(); m++) {
          Group s = g.addGroup(d.models().get(m));
          s.append("score", r.scores()[m]);
          number(s, "num_input_tokens", r.inputTokens()[m], wholeIn[m]);
          number(s, "num_output_tokens", r.outputTokens()[m], wholeOut[m]);
          if (cost && r.cost() != null) {
            s.append("cost", r.cost()[m]);
          }
        }
        w.write(g);
      }
    });
  }

  private static void number(Group g, String field, double v, boolean whole) {
    if (whole) {
      g.append(field, (long) v);
    } else {
      g.append(field, v);
    }
  }

  /** Parses {@code snappy}, {@code gzip}, {@code zstd} or {@code none}. */
  public static CompressionCodecName codec(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "snappy" -> CompressionCodecName.SNAPPY;
      case "gzip" -> CompressionCodecName.GZIP;
      case "zstd" -> CompressionCodecName.ZSTD;
      case "none", "uncompressed" -> CompressionCodecName.UNCOMPRESSED;
      default -> throw new CarrotException("--compression " + name + ": expected snappy, gzip, zstd or none");
    };
  }
}
