package io.carrot.report;

import io.carrot.core.CarrotException;
import io.carrot.core.eval.NewModelStudy;
import io.carrot.core.files.CsvTable;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The outputs of a {@link NewModelStudy}: CSV of every trial, a markdown summary and a PNG. */
public final class NewModelReport {
  static {
    System.setProperty("java.awt.headless", "true");
  }

  private NewModelReport() {}

  /** Mean and sample standard deviation over seeds for one label count. */
  public record Row(int labels, int runs, double aiq, double aiqSd, double accuracyMu0, double share, double mse, double correlation) {}

  /** Per label count (0 = without the model, -1 = every label), averaged over seeds, ascending. */
  public static List<Row> summary(NewModelStudy.Result r) {
    TreeMap<Integer, List<NewModelStudy.Trial>> by = new TreeMap<>((a, b) -> Integer.compare(order(a), order(b)));
    for (NewModelStudy.Trial t : r.trials()) {
      by.computeIfAbsent(t.labels(), k -> new ArrayList<>()).add(t);
    }
    List<Row> out = new ArrayList<>();
    by.forEach((n, ts) -> {
      double[] aiq = ts.stream().mapToDouble(NewModelStudy.Trial::aiq).toArray();
      double mean = mean(aiq);
      double sd = 0;
      for (double a : aiq) {
        sd += (a - mean) * (a - mean);
      }
      sd = aiq.length > 1 ? Math.sqrt(sd / (aiq.length - 1)) : 0;
      out.add(new Row(n, ts.size(), mean, sd, mean(ts.stream().mapToDouble(NewModelStudy.Trial::accuracyMu0).toArray()),
          mean(ts.stream().mapToDouble(NewModelStudy.Trial::share).toArray()),
          mean(ts.stream().mapToDouble(NewModelStudy.Trial::mse).toArray()),
          mean(ts.stream().mapToDouble(NewModelStudy.Trial::correlation).toArray())));
    });
    return out;
  }

  private static int order(int labels) {
    return labels < 0 ? Integer.MAX_VALUE : labels;
  }

  /** Mean of the defined values (a correlation is undefined when a run predicts a constant). */
  private static double mean(double[] v) {
    double s = 0;
    int n = 0;
    for (double x : v) {
      if (!Double.isNaN(x)) {
        s += x;
        n++;
      }
    }
    return n == 0 ? Double.NaN : s / n;
  }

  /** Every trial, one line each. */
  public static String csv(NewModelStudy.Result r) {
    CsvTable csv = new CsvTable(
        "dataset", "model", "estimator", "labels", "seed", "aiq", "accuracy_mu0", "share_mu0", "quality_mse", "quality_correlation");
    for (NewModelStudy.Trial t : r.trials()) {
      csv.row(r.dataset(), r.model(), r.estimator(), t.labels() < 0 ? "all" : Integer.toString(t.labels()), t.seed(),
          f6(t.aiq()), f6(t.accuracyMu0()), f6(t.share()), num(t.mse()), num(t.correlation()));
    }
    return csv.toString();
  }

  private static String f6(double x) {
    return String.format(Locale.ROOT, "%.6f", x);
  }

  /**
   * Markdown summary: the table, and the fewest labels whose mean AIQ closes at least 90% of the
   * gap between the router without the model and the one with every label.
   */
  public static String markdown(NewModelStudy.Result r) {
    List<Row> rows = summary(r);
    Row without = rows.get(0);
    Row all = rows.get(rows.size() - 1);
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "# Labels a new model needs: %s on %s%n%n", r.model(), r.dataset()));
    b.append(String.format(Locale.ROOT,
        "Estimator `%s`. The other models keep every entry; `%s` keeps its entries on only n random train + validation"
            + " prompts (of %d), then a router is trained and measured on the complete test split. Mean over seeds.%n%n",
        r.estimator(), r.model(), r.availableLabels()));
    b.append("| labels | runs | AIQ (sd) | share of gap closed | accuracy at mu=0 | share routed to it at mu=0 | its quality MSE | its quality correlation |\n");
    b.append("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    double gap = all.aiq() - without.aiq();
    Integer enough = null;
    for (Row x : rows) {
      double closed = gap > 0 ? (x.aiq() - without.aiq()) / gap : Double.NaN;
      if (enough == null && x.labels() > 0 && closed >= 0.9) {
        enough = x.labels();
      }
      b.append(String.format(Locale.ROOT, "| %s | %d | %.4f (%.4f) | %s | %.4f | %.3f | %s | %s |%n",
          x.labels() == 0 ? "0 (model left out)" : x.labels() < 0 ? "all " + r.availableLabels() : Integer.toString(x.labels()),
          x.runs(), x.aiq(), x.aiqSd(), Double.isNaN(closed) ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * closed),
          x.accuracyMu0(), x.share(), num(x.mse()), num(x.correlation())));
    }
    b.append('\n');
    if (gap <= 0) {
      b.append(String.format(Locale.ROOT,
          "Adding `%s` does not raise the router's AIQ on this test split (%.4f without, %.4f with every label).%n",
          r.model(), without.aiq(), all.aiq()));
    } else if (enough != null) {
      b.append(String.format(Locale.ROOT, "**%d labelled prompts** close at least 90%% of the AIQ gain of adding `%s` (%.4f -> %.4f).%n",
          enough, r.model(), without.aiq(), all.aiq()));
    } else {
      b.append(String.format(Locale.ROOT, "No tested label count closes 90%% of the AIQ gain of adding `%s` (%.4f -> %.4f).%n",
          r.model(), without.aiq(), all.aiq()));
    }
    return b.toString();
  }

  /** AIQ against labels (log axis), with the without-model and every-label levels as lines. */
  public static byte[] plot(NewModelStudy.Result r) {
    List<Row> rows = summary(r);
    Row without = rows.get(0);
    Row all = rows.get(rows.size() - 1);
    List<Row> mid = rows.subList(1, rows.size() - 1);
    XYChart chart = new XYChartBuilder().width(900).height(600)
        .title(r.dataset() + ": router AIQ vs labelled prompts of " + r.model())
        .xAxisTitle("labelled prompts of the new model (train + validation)").yAxisTitle("AIQ on test").build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotGridLinesColor(new Color(0xe0e0e0));
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setYAxisDecimalPattern("0.000");
    double lo = mid.isEmpty() ? 1 : mid.get(0).labels();
    double hi = r.availableLabels();
    double[] x = new double[mid.size() + 1];
    double[] y = new double[x.length];
    double[] e = new double[x.length];
    for (int i = 0; i < mid.size(); i++) {
      x[i] = mid.get(i).labels();
      y[i] = mid.get(i).aiq();
      e[i] = mid.get(i).aiqSd();
    }
    x[mid.size()] = hi;
    y[mid.size()] = all.aiq();
    XYSeries s = chart.addSeries("router with n labels (mean, sd over seeds)", x, y, e);
    s.setMarker(SeriesMarkers.CIRCLE);
    s.setLineColor(new Color(0xff7f0e));
    s.setMarkerColor(new Color(0xff7f0e));
    XYSeries w = chart.addSeries("model left out", new double[] {lo, hi}, new double[] {without.aiq(), without.aiq()});
    w.setMarker(SeriesMarkers.NONE);
    w.setLineColor(Color.GRAY);
    w.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 5f}, 0f));
    XYSeries a = chart.addSeries("every label", new double[] {lo, hi}, new double[] {all.aiq(), all.aiq()});
    a.setMarker(SeriesMarkers.NONE);
    a.setLineColor(Color.BLACK);
    a.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {2f, 4f}, 0f));
    try {
      return BitmapEncoder.getBitmapBytes(chart, BitmapFormat.PNG);
    } catch (IOException ex) {
      throw new CarrotException("cannot render a plot: " + ex.getMessage(), ex);
    }
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
  }
}
