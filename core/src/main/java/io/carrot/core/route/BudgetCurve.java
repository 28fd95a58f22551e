package io.carrot.core.route;

import io.carrot.core.CarrotException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A router's measured spend as a function of mu: mean true USD per prompt on the validation split
 * when the router decides at each mu. Stored in the router file at training time, so turning a
 * budget into a mu costs nothing at route time.
 *
 * <p>Spend is a step function of mu (a prompt's choice changes at discrete mu), so a single mu
 * can miss a budget by a whole step. {@link #setting(double)} therefore mixes the two neighbouring
 * settings that bracket the target: each prompt takes the cheaper one with the probability that
 * makes the expected validation spend equal the target, decided by a hash of the prompt text
 * ({@link #uniform(String)}), so the same prompt always gets the same mu and spend is continuous in
 * the budget.
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
   * What a budget turns into: prompts go to {@code muHigh} (the cheaper setting) with probability
   * {@code shareHigh}, else to {@code muLow}.
   *
   * @param usdPer1000 the budget asked for, USD per 1000 prompts
   * @param muLow the setting with spend at or above the budget (the smaller mu)
   * @param muHigh the setting with spend at or below the budget (the larger mu)
   * @param shareHigh share of prompts sent to {@code muHigh}, in [0, 1]
   * @param expectedUsdPer1000 the mix's expected validation spend: the budget when the curve reaches
   *     it, else the nearest end of the curve
   */
  public record Setting(double usdPer1000, double muLow, double muHigh, double shareHigh, double expectedUsdPer1000) {
    /** The mu for a prompt whose {@link #uniform(String) hash} is {@code u} in [0, 1). */
    public double mu(double u) {
      return u < shareHigh ? muHigh : muLow;
    }

    /** The mu for {@code prompt}: the same text always gets the same mu. */
    public double muFor(String prompt) {
      return mu(uniform(prompt));
    }
  }

  /**
   * The setting whose expected validation spend is {@code usdPer1000} USD per 1000 prompts.
   *
   * <p>Only the curve's lower staircase counts: a mu whose spend is not below that of every smaller
   * mu is skipped (a smaller mu, i.e. better predicted quality, costs no more). Between two
   * staircase points a and b (a the smaller mu) with spend {@code s_a > target >= s_b}, prompts go
   * to b with probability {@code (s_a - target) / (s_a - s_b)}. A budget above the mu = 0 spend gives
   * mu = 0; one below the cheapest spend gives the cheapest mu.
   */
  public Setting setting(double usdPer1000) {
    if (!(usdPer1000 > 0) || Double.isInfinite(usdPer1000)) {
      throw new CarrotException("budget must be a number of USD per 1000 requests > 0, got " + usdPer1000);
    }
    double target = usdPer1000 / 1000;
    int a = 0; // the last staircase point with spend above the target
    if (usdPerPrompt[0] <= target) {
      return new Setting(usdPer1000, mu[0], mu[0], 0, usdPerPrompt[0] * 1000);
    }
    for (int i = 1; i < mu.length; i++) {
      if (!(usdPerPrompt[i] < usdPerPrompt[a])) {
        continue;
      }
      if (usdPerPrompt[i] <= target) {
        double share = (usdPerPrompt[a] - target) / (usdPerPrompt[a] - usdPerPrompt[i]);
        return new Setting(usdPer1000, mu[a], mu[i], share, usdPer1000);
      }
      a = i;
    }
    return new Setting(usdPer1000, mu[a], mu[a], 0, usdPerPrompt[a] * 1000);
  }

  /** The range of budgets the curve reaches, USD per 1000 prompts: {cheapest, mu = 0}. */
  public double[] rangeUsdPer1000() {
    double min = usdPerPrompt[0];
    for (double s : usdPerPrompt) {
      min = Math.min(min, s);
    }
    return new double[] {min * 1000, usdPerPrompt[0] * 1000};
  }

  /**
   * A uniform number in [0, 1) fixed by the text: the first 53 bits of the SHA-256 of its UTF-8
   * bytes. Any language can reproduce it, so a budget's per-prompt choice can be checked offline.
   */
  public static double uniform(String text) {
    byte[] h;
    try {
      h = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    long bits = 0;
    for (int i = 0; i < 8; i++) {
      bits = (bits << 8) | (h[i] & 0xff);
    }
    return (bits >>> 11) * 0x1.0p-53;
  }
}
