package io.carrot.core.io;

import io.carrot.core.CarrotException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * How a router file stores the KNN training embeddings.
 *
 * <ul>
 *   <li>{@link #F32}: float32, lossless, 4 bytes per value (format version 1).
 *   <li>{@link #F16}: IEEE half precision, 2 bytes per value, relative error at most 2^-11.
 *   <li>{@link #I8}: int8 with one float32 scale per row (symmetric, {@code max |x| -> 127}), 1 byte
 *       per value plus 4 per row.
 * </ul>
 *
 * Lossy encodings are decoded to float32 and renormalized to unit length on load, so inner products
 * stay cosine similarities; files that use them are format version 2.
 */
public enum VectorEncoding {
  F32,
  F16,
  I8;

  /** The lower-case name used on disk and on the command line. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static VectorEncoding parse(String s) {
    for (VectorEncoding e : values()) {
      if (e.id().equalsIgnoreCase(s == null ? "" : s.trim())) {
        return e;
      }
    }
    throw new CarrotException("embedding encoding must be one of f32, f16, i8, got '" + s + "'");
  }

  /** Half-precision little-endian bytes of {@code data}. */
  static byte[] toF16(float[] data) {
    ByteBuffer b = ByteBuffer.allocate(data.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : data) {
      b.putShort(Float.floatToFloat16(v));
    }
    return b.array();
  }

  static float[] fromF16(byte[] bytes, String what) {
    if (bytes.length % 2 != 0) {
      throw new CarrotException(what + ": length " + bytes.length + " is not a multiple of 2 bytes (float16)");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[bytes.length / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = Float.float16ToFloat(b.getShort());
    }
    return out;
  }

  /** Row-wise symmetric int8 codes of a row-major {@code n x d} matrix; scales go to {@code scales}. */
  static byte[] toI8(float[] flat, int d, float[] scales) {
    byte[] out = new byte[flat.length];
    for (int r = 0; r < scales.length; r++) {
      float max = 0;
      for (int i = r * d; i < (r + 1) * d; i++) {
        max = Math.max(max, Math.abs(flat[i]));
      }
      float scale = max == 0 ? 1 : max / 127f;
      scales[r] = scale;
      for (int i = r * d; i < (r + 1) * d; i++) {
        out[i] = (byte) Math.max(-127, Math.min(127, Math.round(flat[i] / scale)));
      }
    }
    return out;
  }

  static float[] fromI8(byte[] codes, float[] scales, int d) {
    float[] out = new float[codes.length];
    for (int i = 0; i < codes.length; i++) {
      out[i] = codes[i] * scales[i / d];
    }
    return out;
  }
}
