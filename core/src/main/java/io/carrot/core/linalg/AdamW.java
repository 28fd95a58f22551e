package io.carrot.core.linalg;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter) for one parameter matrix (rows of
 * float32): per step {@code w <- w * (1 - lr * decay)} (weights only; 0 for biases), then the
 * bias-corrected Adam update {@code w <- w - lr * mhat / (sqrt(vhat) + eps)}. Plain float arithmetic
 * in a fixed order, so a run is bit-reproducible.
 */
public final class AdamW {
  static final double BETA1 = 0.9;
  static final double BETA2 = 0.999;
  static final double EPS = 1e-8;

  private final float[][] m;
  private final float[][] v;

  /** Moments for parameters shaped like {@code w}. */
  public AdamW(float[][] w) {
    m = new float[w.length][];
    v = new float[w.length][];
    for (int r = 0; r < w.length; r++) {
      m[r] = new float[w[r].length];
      v[r] = new float[w[r].length];
    }
  }

  /**
   * Applies step {@code t} (1-based) to {@code w} with gradient {@code g}.
   *
   * @param decay decoupled weight decay; 0 for biases
   */
  public void step(float[][] w, float[][] g, int t, double lr, double decay) {
    // bias corrections folded into the step size and epsilon: lr * mhat / (sqrt(vhat) + eps)
    double corr1 = 1 - StrictMath.pow(BETA1, t);
    double corr2 = 1 - StrictMath.pow(BETA2, t);
    float stepSize = (float) (lr * StrictMath.sqrt(corr2) / corr1);
    float eps = (float) (EPS * StrictMath.sqrt(corr2));
    float keep = (float) (1 - lr * decay);
    for (int r = 0; r < w.length; r++) {
      row(w[r], g[r], m[r], v[r], stepSize, eps, keep);
    }
  }

  private static void row(float[] w, float[] g, float[] m, float[] v, float stepSize, float eps, float keep) {
    float b1 = (float) BETA1;
    float b2 = (float) BETA2;
    float c1 = (float) (1 - BETA1);
    float c2 = (float) (1 - BETA2);
    for (int i = 0; i < w.length; i++) {
      float gi = g[i];
      float mi = b1 * m[i] + c1 * gi;
      float vi = b2 * v[i] + c2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      w[i] = w[i] * keep - stepSize * mi / ((float) Math.sqrt(vi) + eps);
    }
  }
}
