package io.carrot.collect.run;

import java.util.List;
import java.util.Locale;

/**
 * What the calls still to make should cost, computed before starting: prompt tokens counted with
 * cl100k_base (plus a few tokens of chat formatting) times the input price, plus an assumed output
 * length (capped by each model's {@code max_tokens}) times the output price. Judge calls are estimated the same way, from the rendered rubric
 * with an answer of the assumed length and {@link #JUDGE_OUTPUT_TOKENS} tokens of verdict.
 *
 * @param rows one per model (and one for the judge)
 * @param assumedOutputTokens the assumed answer length
 * @param alreadySpentUsd what the checkpoint already records
 * @param capUsd the spend cap (infinite when none)
 */
public record CostEstimate(List<Row> rows, int assumedOutputTokens, double alreadySpentUsd, double capUsd) {
  /** Tokens a judge is assumed to write: two sentences and the rating. */
  public static final int JUDGE_OUTPUT_TOKENS = 80;

  /** Chat formatting tokens added per message by OpenAI-style templates (an estimate). */
  static final int CHAT_OVERHEAD_TOKENS = 8;

  /**
   * @param label model name, or "judge: name"
   * @param calls calls still to make
   * @param inputTokens their estimated prompt tokens
   * @param outputTokens their assumed completion tokens
   * @param usd estimated cost
   */
  public record Row(String label, long calls, long inputTokens, long outputTokens, double usd) {}

  public double totalUsd() {
    return rows.stream().mapToDouble(Row::usd).sum();
  }

  public long totalCalls() {
    return rows.stream().mapToLong(Row::calls).sum();
  }

  /** A table for the terminal. */
  public String format() {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT,
        "cost estimate for the calls still to make (prompt tokens by cl100k_base, %d output tokens assumed per answer, at most the model's max_tokens):%n",
        assumedOutputTokens));
    int w = Math.max(12, rows.stream().mapToInt(r -> r.label().length()).max().orElse(0));
    b.append(String.format(Locale.ROOT, "  %-" + w + "s %8s %12s %12s %12s%n", "model", "calls", "input tok", "output tok", "USD"));
    for (Row r : rows) {
      b.append(String.format(Locale.ROOT, "  %-" + w + "s %8d %12d %12d %12.4f%n", r.label(), r.calls(), r.inputTokens(), r.outputTokens(), r.usd()));
    }
    b.append(String.format(Locale.ROOT, "  %-" + w + "s %8d %12s %12s %12.4f%n", "total", totalCalls(), "", "", totalUsd()));
    b.append(String.format(Locale.ROOT, "already spent (checkpoint): $%.4f; spend cap: %s%n", alreadySpentUsd,
        Double.isInfinite(capUsd) ? "none (--max-spend)" : String.format(Locale.ROOT, "$%.4f", capUsd)));
    if (alreadySpentUsd + totalUsd() > capUsd) {
      b.append(String.format(Locale.ROOT,
          "warning: the estimate exceeds the cap; the run will stop when the cap is reached (rerun with a higher --max-spend to continue)%n"));
    }
    return b.toString();
  }
}
