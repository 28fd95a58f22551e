package io.carrot.core.route;

import io.carrot.core.CarrotException;

/**
 * Holds a stream of requests to a budget in USD per 1000 requests, using what each request really
 * cost.
 *
 * <p>A {@link BudgetCurve} turns a budget into a mu from the spend measured on validation prompts.
 * On any other sample of prompts the spend at that mu differs by the sample's own noise (on a few
 * hundred prompts often 10-20%), so a fixed mu can miss a budget by that much however good the
 * curve is. A stream can do better: after each request the caller {@link #record records} its
 * real cost, and the next request's setting aims at the budget corrected for the running excess,
 * spread over the next {@code horizon} requests:
 *
 * <pre>  target(n) = budget - (spent(n) - budget * n) / horizon,  clamped to [budget / 4, 4 * budget]</pre>
 *
 * where {@code spent(n)} is the real spend of the first {@code n} requests. A budget at or above
 * the curve's mu = 0 spend, or at or below its cheapest spend, is not pacing's to correct (mu = 0,
 * resp. the cheapest mu, whatever the stream does), so the pacer leaves those to the curve.
 *
 * <p>Thread-safe: concurrent requests each take a setting and record their cost when they know it;
 * a cost recorded late only delays the correction.
 */
public final class BudgetPacer {
  /** Requests over which an excess is paid back, unless given. */
  public static final int DEFAULT_HORIZON = 25;

  private static final double CLAMP = 4;

  private final BudgetCurve curve;
  private final double usdPer1000;
  private final int horizon;
  private final boolean binding;
  private long requests;
  private double spentUsd;

  /**
   * @param usdPer1000 the budget, USD per 1000 requests, > 0
   * @param horizon requests over which an excess or a shortfall is corrected, >= 1
   */
  public BudgetPacer(BudgetCurve curve, double usdPer1000, int horizon) {
    curve.setting(usdPer1000); // validates the budget with the curve's own message
    if (horizon < 1) {
      throw new CarrotException("budget pacing horizon must be >= 1 request, got " + horizon);
    }
    this.curve = curve;
    this.usdPer1000 = usdPer1000;
    this.horizon = horizon;
    double[] range = curve.rangeUsdPer1000();
    this.binding = usdPer1000 > range[0] && usdPer1000 < range[1];
  }

  public BudgetPacer(BudgetCurve curve, double usdPer1000) {
    this(curve, usdPer1000, DEFAULT_HORIZON);
  }

  /** The budget, USD per 1000 requests. */
  public double usdPer1000() {
    return usdPer1000;
  }

  /** The setting for the next request: the curve's setting for the corrected target. */
  public synchronized BudgetCurve.Setting next() {
    return curve.setting(targetUsdPer1000());
  }

  /** The target the next request aims at, USD per 1000 requests. */
  public synchronized double targetUsdPer1000() {
    if (!binding) {
      return usdPer1000;
    }
    double b = usdPer1000 / 1000;
    double t = b - (spentUsd - b * requests) / horizon;
    return 1000 * Math.max(b / CLAMP, Math.min(CLAMP * b, t));
  }

  /** Records the real cost of one request (USD, >= 0). */
  public synchronized void record(double usd) {
    if (!(usd >= 0) || Double.isInfinite(usd)) {
      throw new CarrotException("a request's cost must be a number of USD >= 0, got " + usd);
    }
    requests++;
    spentUsd += usd;
  }

  /** Requests recorded so far. */
  public synchronized long requests() {
    return requests;
  }

  /** Mean real spend so far, USD per 1000 requests (NaN before the first request). */
  public synchronized double spentUsdPer1000() {
    return requests == 0 ? Double.NaN : 1000 * spentUsd / requests;
  }
}
