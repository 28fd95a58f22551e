package io.carrot.collect.parquet;

import io.carrot.core.CarrotException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Parquet files as plain Java values, through parquet-java on local files (no Hadoop file system,
 * no native library).
 *
 * <p>A row reads as a map from column name to value: strings ({@code BINARY}, {@code
 * FIXED_LEN_BYTE_ARRAY} as UTF-8), {@code Long} (INT32, INT64), {@code Double} (FLOAT, DOUBLE),
 * {@code Boolean}, a nested map for a struct, a list for a repeated field or a LIST column, and
 * null for an absent optional value.
 */
public final class ParquetTables {
  private ParquetTables() {}

  /** A table's schema and file-level key-value metadata. */
  public record Header(MessageType schema, Map<String, String> metadata, long rows) {}

  public static Header header(Path file) {
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file))) {
      return new Header(r.getFooter().getFileMetaData().getSchema(),
          Map.copyOf(r.getFooter().getFileMetaData().getKeyValueMetaData()), r.getRecordCount());
    } catch (IOException | RuntimeException e) {
      throw new CarrotException(file + ": not a readable Parquet file: " + e.getMessage(), e);
    }
  }

  /** Calls {@code row} for every row, in file order. */
  public static void read(Path file, Consumer<Map<String, Object>> row) {
    PlainParquetConfiguration conf = new PlainParquetConfiguration();
    try (ParquetReader<Group> r = new ParquetReader.Builder<Group>(new LocalInputFile(file), conf) {
          @Override
          protected ReadSupport<Group> getReadSupport() {
            return new GroupReadSupport();
          }
        }.build()) {
      long rows = 0;
      Group g;
      while ((g = next(r, file, rows)) != null) {
        row.accept(toMap(g, g.getType()));
        rows++;
      }
    } catch (IOException e) {
      throw new CarrotException(file + ": cannot read Parquet rows: " + e.getMessage(), e);
    }
  }

  /**
   * The next row; a damaged page surfaces from parquet-java as a decoding error that names an
   * anonymous input file object ("LocalInputFile@424ebba3"), so it is reported here with the file
   * and the row instead, and with the innermost cause (the one that says what was wrong).
   */
  private static Group next(ParquetReader<Group> r, Path file, long rowsRead) {
    try {
      return r.read();
    } catch (IOException | RuntimeException e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      String why = root == e ? e.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + root.getMessage();
      throw new CarrotException(
          file + ": damaged Parquet data at row " + (rowsRead + 1) + " (" + why + "); rewrite or re-download the file", e);
    }
  }

  private static Map<String, Object> toMap(Group g, GroupType type) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < type.getFieldCount(); i++) {
      Type f = type.getType(i);
      int n = g.getFieldRepetitionCount(i);
      if (f.isRepetition(Type.Repetition.REPEATED)) {
        List<Object> list = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
          list.add(value(g, i, k, f));
        }
        out.put(f.getName(), list);
      } else {
        out.put(f.getName(), n == 0 ? null : value(g, i, 0, f));
      }
    }
    return out;
  }

  private static Object value(Group g, int field, int index, Type f) {
    if (!f.isPrimitive()) {
      GroupType gt = f.asGroupType();
      Group child = g.getGroup(field, index);
      if (gt.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation && gt.getFieldCount() == 1) {
        return listValue(child, gt);
      }
      return toMap(child, gt);
    }
    PrimitiveType p = f.asPrimitiveType();
    return switch (p.getPrimitiveTypeName()) {
      case INT32 -> (long) g.getInteger(field, index);
      case INT64 -> g.getLong(field, index);
      case FLOAT -> (double) g.getFloat(field, index);
      case DOUBLE -> g.getDouble(field, index);
      case BOOLEAN -> g.getBoolean(field, index);
      case BINARY, FIXED_LEN_BYTE_ARRAY -> g.getBinary(field, index).toStringUsingUTF8();
      case INT96 -> g.getInt96(field, index).toString();
    };
  }

  /** The three-level LIST layout ({@code list { repeated group list { element } }}) as a list. */
  private static List<Object> listValue(Group listGroup, GroupType listType) {
    Type repeated = listType.getType(0);
    int n = listGroup.getFieldRepetitionCount(0);
    List<Object> out = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      if (!repeated.isPrimitive() && repeated.asGroupType().getFieldCount() == 1) {
        Group wrapper = listGroup.getGroup(0, k);
        Type element = repeated.asGroupType().getType(0);
        out.add(wrapper.getFieldRepetitionCount(0) == 0 ? null : value(wrapper, 0, 0, element));
      } else {
        out.add(value(listGroup, 0, k, repeated));
      }
    }
    return out;
  }

  /** Writes the rows of a table. */
  @FunctionalInterface
  public interface Rows {
    void writeTo(ParquetWriter<Group> writer) throws IOException;
  }

  /** Writes rows built by {@code rows} to {@code file}: a temp file beside it, then renamed. */
  public static void write(
      Path file, MessageType schema, Map<String, String> metadata, CompressionCodecName codec, Rows rows) {
    Path target = file.toAbsolutePath().normalize();
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + Long.toString(System.nanoTime(), 36));
    try {
      Files.createDirectories(target.getParent());
      try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(tmp))
          .withConf(new PlainParquetConfiguration())
          .withType(schema)
          .withExtraMetaData(metadata)
          .withCompressionCodec(codec)
          .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
          .build()) {
        rows.writeTo(w);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new CarrotException("cannot write " + file + ": " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // A hidden leftover temp file loses nothing.
      }
    }
  }
}
