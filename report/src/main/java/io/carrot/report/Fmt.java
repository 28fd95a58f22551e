package io.carrot.report;

import io.carrot.core.eval.EvalReport.Interval;
import java.util.Locale;

/** Number formatting shared by the Markdown and CSV writers: one look everywhere. */
final class Fmt {
  private Fmt() {}

  /** A quality or ratio: 4 decimals, "n/a" for NaN. */
  static String q(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
  }

  /** A percentage of a ratio: 1 decimal, "n/a" for NaN. */
  static String pct(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
  }

  /** USD per prompt in scientific notation. */
  static String usd(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3e", v);
  }

  /** A 95% interval of qualities, or empty. */
  static String ci(Interval iv) {
    if (iv == null) {
      return "";
    }
    return "[" + q(iv.lo()) + ", " + (Double.isNaN(iv.hi()) ? "never" : q(iv.hi())) + "]";
  }

  /** A 95% interval of ratios as percentages, or empty. */
  static String ciPct(Interval iv) {
    if (iv == null) {
      return "";
    }
    return "[" + pct(iv.lo()) + ", " + (Double.isNaN(iv.hi()) ? "never" : pct(iv.hi())) + "]";
  }

  /**
   * A 95% interval of qualities as percentages whose NaN ends are unreachable budgets, not "never"
   * (quality at a cost fraction), or empty.
   */
  static String ciPctReachable(Interval iv) {
    if (iv == null) {
      return "";
    }
    return "[" + pct(iv.lo()) + ", " + pct(iv.hi()) + "]";
  }

  /** The same with qualities as 4 decimals. */
  static String ciReachable(Interval iv) {
    if (iv == null) {
      return "";
    }
    return "[" + q(iv.lo()) + ", " + q(iv.hi()) + "]";
  }

  /** Output tokens per prompt and model: 1 decimal, "n/a" for NaN (nothing to predict). */
  static String tokens(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", v);
  }

  /** A signed difference: 4 decimals with a sign. */
  static String signed(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%+.4f", v);
  }
}
