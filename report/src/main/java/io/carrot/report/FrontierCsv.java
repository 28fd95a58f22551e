package io.carrot.report;

import io.carrot.core.eval.EvalReport;
import io.carrot.core.metrics.Point;
import java.util.Locale;

/**
 * {@code frontier.csv}: one row per operating point, {@code router,param,mean_cost_usd,mean_quality}.
 * {@code param} is mu for CARROT, static and quality-only, the threshold for binary (below 0: every
 * prompt to the strong model), the strong share for random, the model index for zero-router
 * vertices; empty for the oracle and for single models ({@code single:<model>}).
 */
public final class FrontierCsv {
  public static final String HEADER = "router,param,mean_cost_usd,mean_quality";

  private FrontierCsv() {}

  public static String of(EvalReport r) {
    StringBuilder sb = new StringBuilder(HEADER).append('\n');
    for (EvalReport.SingleModel s : r.singles()) {
      row(sb, "single:" + s.model(), Double.NaN, s.cost(), s.quality());
    }
    for (EvalReport.RouterResult rr : r.routers().values()) {
      for (Point p : rr.points()) {
        row(sb, rr.name(), p.param(), p.cost(), p.quality());
      }
    }
    return sb.toString();
  }

  private static void row(StringBuilder sb, String name, double param, double cost, double quality) {
    String escaped = name.contains(",") || name.contains("\"") ? '"' + name.replace("\"", "\"\"") + '"' : name;
    sb.append(escaped)
        .append(',')
        .append(Double.isNaN(param) ? "" : String.format(Locale.ROOT, "%.6f", param))
        .append(',')
        .append(String.format(Locale.ROOT, "%.10g", cost))
        .append(',')
        .append(String.format(Locale.ROOT, "%.8f", quality))
        .append('\n');
  }
}
