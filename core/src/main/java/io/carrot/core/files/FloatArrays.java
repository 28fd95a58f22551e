package io.carrot.core.files;

import io.carrot.core.CarrotException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Little-endian float32 matrices, the project's raw vector format ({@code .f32}). */
public final class FloatArrays {
  private FloatArrays() {}

  /** Little-endian float32 bytes of {@code data}. */
  public static byte[] toBytes(float[] data) {
    ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(data);
    return b.array();
  }

  /** Floats from little-endian float32 bytes; {@code what} names them in errors. */
  public static float[] fromBytes(byte[] bytes, String what) {
    if (bytes.length % 4 != 0) {
      throw new CarrotException(what + ": length " + bytes.length + " is not a multiple of 4 bytes (float32)");
    }
    float[] out = new float[bytes.length / 4];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  /** Rows of equal length, concatenated. */
  public static float[] flatten(float[][] rows) {
    if (rows.length == 0) {
      return new float[0];
    }
    int d = rows[0].length;
    float[] out = new float[rows.length * d];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, out, i * d, d);
    }
    return out;
  }

  /** Splits {@code flat} into rows of {@code d} values. */
  public static float[][] reshape(float[] flat, int d) {
    float[][] out = new float[flat.length / d][];
    for (int i = 0; i < out.length; i++) {
      out[i] = new float[d];
      System.arraycopy(flat, i * d, out[i], 0, d);
    }
    return out;
  }

  /**
   * Writes {@code rows} to {@code file} (float32 LE, row-major) and the ids one per line to
   * {@code file + ".ids"}; both atomically.
   */
  public static void writeMatrix(Path file, List<String> ids, float[][] rows) {
    AtomicFiles.write(file, out -> {
      for (float[] r : rows) {
        out.write(toBytes(r));
      }
    });
    Path idFile = file.resolveSibling(file.getFileName() + ".ids");
    AtomicFiles.write(idFile, out -> {
      for (String id : ids) {
        out.write((id + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
    });
  }

  /** Reads a matrix written by {@link #writeMatrix}; the row count comes from the ids file. */
  public static Matrix readMatrix(Path file) {
    Path idFile = file.resolveSibling(file.getFileName() + ".ids");
    if (!Files.exists(file)) {
      throw new CarrotException("embeddings file " + file + " does not exist");
    }
    if (!Files.exists(idFile)) {
      throw new CarrotException(
          "embeddings file " + file + " has no ids file " + idFile + " (one prompt id per line)");
    }
    try {
      List<String> ids = new ArrayList<>();
      for (String line : Files.readAllLines(idFile)) {
        if (!line.isEmpty()) {
          ids.add(line);
        }
      }
      float[] flat = fromBytes(Files.readAllBytes(file), file.toString());
      if (ids.isEmpty() || flat.length % ids.size() != 0) {
        throw new CarrotException(
            file + ": " + flat.length + " floats do not divide into " + ids.size() + " rows (one per id in " + idFile + ")");
      }
      return new Matrix(ids, reshape(flat, flat.length / ids.size()));
    } catch (IOException e) {
      throw new CarrotException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Rows with their ids. */
  public record Matrix(List<String> ids, float[][] rows) {}

  /** Writes through an output stream; used by {@link AtomicFiles}. */
  @FunctionalInterface
  public interface Body {
    /** Writes the content to {@code out}. */
    void write(OutputStream out) throws IOException;
  }
}
