package io.carrot.core.predict.network;

import io.carrot.core.CarrotException;

/**
 * A feed-forward network on float32 weights: {@code inputs -> hidden ReLU units -> outputs} (raw
 * output values, no activation), or {@code inputs -> outputs} directly when {@code hidden} is 0.
 * Immutable once built; {@link #forward} is the single definition of its arithmetic, used by
 * validation and prediction alike, so a fitted network predicts exactly what it was validated with.
 *
 * <p>Weights are stored one row per input unit ({@code w1[a]} holds input a's weights to every
 * hidden unit): the inner loops are then {@code acc[k] += s * row[k]} over two arrays at the same
 * index, the shape the JIT turns into SIMD instructions without changing the order of any sum.
 */
public final class MlpNetwork {
  private final int inputs;
  private final int hidden;
  private final int outputs;
  final float[][] w1; // inputs x hidden; no rows when hidden == 0
  final float[] b1; // hidden
  final float[][] w2; // (hidden, or inputs when hidden == 0) x outputs
  final float[] b2; // outputs

  /**
   * Builds a network from row-major flat arrays (the codec's layout) and checks them against the
   * shape.
   */
  public MlpNetwork(int inputs, int hidden, int outputs, float[] w1, float[] b1, float[] w2, float[] b2) {
    this(inputs, hidden, outputs, rows(w1, hidden > 0 ? inputs : 0, hidden, "w1"),
        b1.clone(), rows(w2, hidden > 0 ? hidden : inputs, outputs, "w2"), b2.clone());
    if (b1.length != hidden || b2.length != outputs) {
      throw new CarrotException(
          "network biases do not match hidden=" + hidden + ", outputs=" + outputs + ": " + b1.length + ", " + b2.length);
    }
  }

  private MlpNetwork(int inputs, int hidden, int outputs, float[][] w1, float[] b1, float[][] w2, float[] b2) {
    if (inputs < 1 || hidden < 0 || outputs < 1) {
      throw new CarrotException(
          "network shape must have inputs >= 1, hidden >= 0, outputs >= 1; got " + inputs + ", " + hidden + ", " + outputs);
    }
    this.inputs = inputs;
    this.hidden = hidden;
    this.outputs = outputs;
    this.w1 = w1;
    this.b1 = b1;
    this.w2 = w2;
    this.b2 = b2;
  }

  private static float[][] rows(float[] flat, int rows, int cols, String what) {
    if (flat.length != rows * cols) {
      throw new CarrotException(what + " has " + flat.length + " values, expected " + rows + " x " + cols);
    }
    float[][] out = new float[rows][cols];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(flat, r * cols, out[r], 0, cols);
    }
    return out;
  }

  private static float[] flat(float[][] rows, int cols) {
    float[] out = new float[rows.length * cols];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, out, r * cols, cols);
    }
    return out;
  }

  private static float[][] copy(float[][] a) {
    float[][] c = new float[a.length][];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[i].clone();
    }
    return c;
  }

  /** A zero network of the given shape whose arrays the trainer fills and updates in place. */
  static MlpNetwork blank(int inputs, int hidden, int outputs) {
    return new MlpNetwork(inputs, hidden, outputs, new float[hidden > 0 ? inputs : 0][hidden], new float[hidden],
        new float[hidden > 0 ? hidden : inputs][outputs], new float[outputs]);
  }

  public int inputs() {
    return inputs;
  }

  /** Hidden units; 0 for a network that is linear in its inputs. */
  public int hidden() {
    return hidden;
  }

  public int outputs() {
    return outputs;
  }

  /** A copy (a training snapshot). */
  MlpNetwork copy() {
    return new MlpNetwork(inputs, hidden, outputs, copy(w1), b1.clone(), copy(w2), b2.clone());
  }

  /** The same network computing only outputs {@code from} (inclusive) to {@code to} (exclusive). */
  MlpNetwork outputs(int from, int to) {
    float[][] w = new float[w2.length][];
    for (int k = 0; k < w2.length; k++) {
      w[k] = java.util.Arrays.copyOfRange(w2[k], from, to);
    }
    return new MlpNetwork(inputs, hidden, to - from, copy(w1), b1.clone(), w, java.util.Arrays.copyOfRange(b2, from, to));
  }

  /**
   * Computes the outputs for input {@code x} into {@code z}; {@code h} receives the hidden
   * activations after ReLU (unused when {@code hidden} is 0).
   */
  void forward(float[] x, float[] h, float[] z) {
    if (hidden > 0) {
      System.arraycopy(b1, 0, h, 0, hidden);
      for (int a = 0; a < inputs; a++) {
        axpy(h, x[a], w1[a]);
      }
      relu(h);
      output(h, z);
    } else {
      output(x, z);
    }
  }

  /** The output layer on {@code in} (hidden activations, or the inputs when there is no hidden layer). */
  void output(float[] in, float[] z) {
    System.arraycopy(b2, 0, z, 0, outputs);
    for (int k = 0; k < in.length; k++) {
      float v = in[k];
      if (v != 0) { // inactive ReLU units add nothing
        axpy(z, v, w2[k]);
      }
    }
  }

  /** {@code acc[k] += s * w[k]} for every k of {@code acc}. */
  static void axpy(float[] acc, float s, float[] w) {
    for (int k = 0; k < acc.length; k++) {
      acc[k] += s * w[k];
    }
  }

  static void relu(float[] h) {
    for (int k = 0; k < h.length; k++) {
      if (h[k] < 0) {
        h[k] = 0;
      }
    }
  }

  /** Accessors for the codec (row-major flat arrays). Not an API. */
  public static final class Access {
    private Access() {}

    public static float[] w1(MlpNetwork n) {
      return flat(n.w1, n.hidden);
    }

    public static float[] b1(MlpNetwork n) {
      return n.b1.clone();
    }

    public static float[] w2(MlpNetwork n) {
      return flat(n.w2, n.outputs);
    }

    public static float[] b2(MlpNetwork n) {
      return n.b2.clone();
    }
  }
}
