package io.carrot.core.route;

import io.carrot.core.CarrotException;

/**
 * A router's measured spend as a function of mu: mean true USD per prompt on the validation split
 * when the router decides at each mu. Stored in the router file at training time, so turning a
 * budget into a mu costs nothing at route time.
 *
 * @param mu ascending values in [0, 1]
 * @param usdPerPrompt mean USD per prompt at each mu
 */
public record BudgetCurve(double[] mu, double[] usdPerPrompt) {
  public BudgetCurve {
    if (mu.length == 0 || mu.length != usdPerPrompt.length) {
      throw new CarrotException("budget curve needs matching, non-empty mu and spend arrays");
    }
    for (int i = 0; i < mu.length; i++) {
      if (!(mu[i] >= 0 && mu[i] <= 1) || (i > 0 && !(mu[i] > mu[i - 1])) || !(usdPerPrompt[i] >= 0)) {
        throw new CarrotException("budget curve: mu must ascend within [0, 1] and spend be >= 0 (entry " + i + ")");
      }
    }
    mu = mu.clone();
    usdPerPrompt = usdPerPrompt.clone();
  }

  /**
   * The mu whose validation spend per 1000 prompts is closest to {@code usdPer1000}; on ties the
   * smaller mu (better quality).
   */
  public double muFor(double usdPer1000) {
    if (!(usdPer1000 > 0) || Double.isInfinite(usdPer1000)) {
      throw new CarrotException("budget must be a number of USD per 1000 requests > 0, got " + usdPer1000);
    }
    double target = usdPer1000 / 1000;
    int best = 0;
    for (int i = 1; i < mu.length; i++) {
      if (Math.abs(usdPerPrompt[i] - target) < Math.abs(usdPerPrompt[best] - target)) {
        best = i;
      }
    }
    return mu[best];
  }

  /** Validation spend per 1000 prompts at the grid point closest to {@code m}. */
  public double usdPer1000At(double m) {
    int best = 0;
    for (int i = 1; i < mu.length; i++) {
      if (Math.abs(mu[i] - m) < Math.abs(mu[best] - m)) {
        best = i;
      }
    }
    return usdPerPrompt[best] * 1000;
  }
}
