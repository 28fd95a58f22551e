package io.carrot.spark;

import io.carrot.core.CarrotException;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reads what a route job routes into one shape: {@code id} (string), {@code prompt} (string or
 * null), {@code embedding} (array of float or null), {@code input_tokens} (double or null).
 *
 * <p>Accepted: JSON lines ({@code .jsonl}, {@code .json}, optionally gzipped) and Parquet (a file
 * or a directory) with an {@code id} column and a {@code prompt} and/or {@code embedding} column,
 * optionally {@code input_tokens}; or a {@code .f32} matrix with its {@code .ids} file (as written
 * by {@code carrot embed}), read in row ranges by the executors themselves, so the driver never
 * holds the vectors.
 */
public final class Inputs {
  public static final StructType SCHEMA =
      new StructType(
          new StructField[] {
            DataTypes.createStructField("id", DataTypes.StringType, false),
            DataTypes.createStructField("prompt", DataTypes.StringType, true),
            DataTypes.createStructField("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), true),
            DataTypes.createStructField("input_tokens", DataTypes.DoubleType, true)
          });

  private Inputs() {}

  /** Reads {@code path}; {@code partitions} > 0 sets the number of partitions. */
  public static Dataset<Row> read(SparkSession spark, String path, int partitions) {
    String lower = path.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".f32")) {
      return readF32(spark, Path.of(path), partitions > 0 ? partitions : spark.sparkContext().defaultParallelism());
    }
    Dataset<Row> raw;
    if (lower.endsWith(".jsonl") || lower.endsWith(".json") || lower.endsWith(".jsonl.gz") || lower.endsWith(".json.gz")) {
      raw = spark.read().json(path);
    } else {
      raw = spark.read().parquet(path);
    }
    Dataset<Row> df = normalize(raw, path);
    return partitions > 0 ? df.repartition(partitions) : df;
  }

  /** Casts and fills the columns of {@link #SCHEMA}; fails naming what is missing. */
  public static Dataset<Row> normalize(Dataset<Row> raw, String where) {
    List<String> cols = Arrays.asList(raw.columns());
    if (!cols.contains("id")) {
      throw new CarrotException(where + ": no 'id' column; expected columns id and prompt and/or embedding, got " + cols);
    }
    if (!cols.contains("prompt") && !cols.contains("embedding")) {
      throw new CarrotException(where + ": needs a 'prompt' or an 'embedding' column, got " + cols);
    }
    Column id = raw.col("id").cast(DataTypes.StringType).as("id");
    Column prompt = cols.contains("prompt") ? raw.col("prompt").cast(DataTypes.StringType) : functions.lit(null).cast(DataTypes.StringType);
    Column emb =
        cols.contains("embedding")
            ? raw.col("embedding").cast(DataTypes.createArrayType(DataTypes.FloatType))
            : functions.lit(null).cast(DataTypes.createArrayType(DataTypes.FloatType));
    Column tokens = cols.contains("input_tokens") ? raw.col("input_tokens").cast(DataTypes.DoubleType) : functions.lit(null).cast(DataTypes.DoubleType);
    return raw.select(id, prompt.as("prompt"), emb.as("embedding"), tokens.as("input_tokens"));
  }

  private record Range(String file, int dimension, long start, List<String> ids) implements Serializable {}

  static Dataset<Row> readF32(SparkSession spark, Path file, int partitions) {
    Path idFile = file.resolveSibling(file.getFileName() + ".ids");
    if (!Files.isRegularFile(file)) {
      throw new CarrotException("embeddings file " + file + " does not exist");
    }
    if (!Files.isRegularFile(idFile)) {
      throw new CarrotException("embeddings file " + file + " has no ids file " + idFile + " (one prompt id per line)");
    }
    List<String> ids;
    long bytes;
    try {
      ids = Files.readAllLines(idFile).stream().filter(s -> !s.isEmpty()).toList();
      bytes = Files.size(file);
    } catch (IOException e) {
      throw new CarrotException("cannot read " + idFile + ": " + e.getMessage(), e);
    }
    if (ids.isEmpty() || bytes % (4L * ids.size()) != 0) {
      throw new CarrotException(
          file + ": " + bytes + " bytes do not divide into " + ids.size() + " float32 rows (one per id in " + idFile + ")");
    }
    int d = (int) (bytes / 4 / ids.size());
    // at least one partition per 16k rows keeps tasks short and their retries cheap
    int parts = Math.max(1, Math.min(Math.max(partitions, ids.size() / 16384), ids.size()));
    List<Range> ranges = new ArrayList<>(parts);
    String abs = file.toAbsolutePath().toString();
    for (int p = 0; p < parts; p++) {
      int a = (int) ((long) ids.size() * p / parts);
      int b = (int) ((long) ids.size() * (p + 1) / parts);
      ranges.add(new Range(abs, d, a, new ArrayList<>(ids.subList(a, b))));
    }
    JavaRDD<Row> rows =
        JavaSparkContext.fromSparkContext(spark.sparkContext())
            .parallelize(ranges, parts)
            .flatMap(Inputs::readRange);
    return spark.createDataFrame(rows, SCHEMA);
  }

  /** Rows of one range, read lazily in blocks so a task holds at most one block of vectors. */
  private static Iterator<Row> readRange(Range r) {
    int n = r.ids().size();
    int d = r.dimension();
    int block = Math.max(1, (1 << 20) / (4 * d));
    return new Iterator<>() {
      private final ByteBuffer buf = ByteBuffer.allocate(block * d * 4).order(ByteOrder.LITTLE_ENDIAN);
      private int next;
      private int loadedEnd;

      @Override
      public boolean hasNext() {
        return next < n;
      }

      @Override
      public Row next() {
        if (next >= n) {
          throw new NoSuchElementException();
        }
        if (next == loadedEnd) {
          load();
        }
        float[] v = new float[d];
        buf.asFloatBuffer().get((next - (loadedEnd - rowsIn())) * d, v);
        return RowFactory.create(r.ids().get(next++), null, v, null);
      }

      private int rowsIn() {
        return buf.limit() / (4 * d);
      }

      private void load() {
        int rows = Math.min(block, n - next);
        buf.clear().limit(rows * d * 4);
        try (FileChannel ch = FileChannel.open(Path.of(r.file()), StandardOpenOption.READ)) {
          long pos = (r.start() + next) * d * 4L;
          while (buf.hasRemaining()) {
            if (ch.read(buf, pos + buf.position()) < 0) {
              throw new CarrotException(r.file() + " ended early while reading row " + (r.start() + next));
            }
          }
        } catch (IOException e) {
          throw new CarrotException("cannot read " + r.file() + ": " + e.getMessage(), e);
        }
        buf.flip();
        loadedEnd = next + rows;
      }
    };
  }
}
