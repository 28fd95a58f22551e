package io.carrot.core.linalg;

import io.carrot.core.CarrotException;

/** Solves symmetric positive-definite systems; the ridge estimators' one piece of linear algebra. */
public final class Cholesky {
  private Cholesky() {}

  /**
   * Solves {@code A X = B} for {@code A} (n x n, row-major, SPD; overwritten) and {@code B} (n x r,
   * row-major); returns X (n x r).
   */
  public static double[] solve(double[] a, int n, double[] b, int r) {
    for (int j = 0; j < n; j++) {
      double s = a[j * n + j];
      for (int k = 0; k < j; k++) {
        s -= a[j * n + k] * a[j * n + k];
      }
      if (!(s > 0)) {
        throw new CarrotException("matrix is not positive definite (pivot " + j + " = " + s + "); increase the ridge strength");
      }
      double l = Math.sqrt(s);
      a[j * n + j] = l;
      for (int i = j + 1; i < n; i++) {
        double t = a[i * n + j];
        for (int k = 0; k < j; k++) {
          t -= a[i * n + k] * a[j * n + k];
        }
        a[i * n + j] = t / l;
      }
    }
    double[] x = b.clone();
    // forward: L y = b
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < i; k++) {
        double lik = a[i * n + k];
        if (lik != 0) {
          for (int c = 0; c < r; c++) {
            x[i * r + c] -= lik * x[k * r + c];
          }
        }
      }
      double lii = a[i * n + i];
      for (int c = 0; c < r; c++) {
        x[i * r + c] /= lii;
      }
    }
    // backward: L^T x = y
    for (int i = n - 1; i >= 0; i--) {
      for (int k = i + 1; k < n; k++) {
        double lki = a[k * n + i];
        if (lki != 0) {
          for (int c = 0; c < r; c++) {
            x[i * r + c] -= lki * x[k * r + c];
          }
        }
      }
      double lii = a[i * n + i];
      for (int c = 0; c < r; c++) {
        x[i * r + c] /= lii;
      }
    }
    return x;
  }
}
