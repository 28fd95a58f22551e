package io.carrot.report;

import io.carrot.core.eval.EvalReport;
import io.carrot.core.files.CsvTable;
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
  private static final String[] COLUMNS = HEADER.split(",");

  private FrontierCsv() {}

  public static String of(EvalReport r) {
    CsvTable t = new CsvTable(COLUMNS);
    for (EvalReport.SingleModel s : r.singles()) {
      row(t, "single:" + s.model(), Double.NaN, s.cost(), s.quality());
    }
    for (EvalReport.RouterResult rr : r.routers().values()) {
      for (Point p : rr.points()) {
        row(t, rr.name(), p.param(), p.cost(), p.quality());
      }
    }
    return t.toString();
  }

  private static void row(CsvTable t, String name, double param, double cost, double quality) {
    t.row(
        name,
        Double.isNaN(param) ? "" : String.format(Locale.ROOT, "%.6f", param),
        String.format(Locale.ROOT, "%.10g", cost),
        String.format(Locale.ROOT, "%.8f", quality));
  }
}
