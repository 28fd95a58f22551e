package io.carrot.report;

import io.carrot.core.CarrotException;
import io.carrot.core.eval.EvalReport.RouterResult;
import io.carrot.core.eval.EvalReport;
import io.carrot.core.metrics.Calibration;
import io.carrot.core.metrics.MetricFormulas;
import io.carrot.core.metrics.Point;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The PNG plots of an evaluation, drawn with XChart off-screen. */
public final class Plots {
  private static final Map<String, Color> COLORS =
      Map.of(
          "quality-only", new Color(0x1f77b4),
          "static", new Color(0x2ca02c),
          "binary", new Color(0x9467bd),
          "zero-router", new Color(0x7f7f7f),
          "random", new Color(0xbcbcbc),
          "oracle", Color.BLACK);
  private static final Color CARROT = new Color(0xff7f0e);

  static {
    // Rendering needs no display; set before AWT initializes.
    System.setProperty("java.awt.headless", "true");
  }

  private Plots() {}

  /**
   * Cost-quality frontier of every router (points in the order of their knob), single models as
   * labelled points; cost on a log axis when every cost is positive.
   */
  public static byte[] frontier(EvalReport r) {
    XYChart chart =
        new XYChartBuilder()
            .width(1100)
            .height(750)
            .title(r.dataset() + ": cost-quality frontier on " + r.nTest() + " test prompts")
            .xAxisTitle("mean cost per prompt (USD)")
            .yAxisTitle("mean quality")
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
    chart.getStyler().setMarkerSize(5);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotGridLinesColor(new Color(0xe0e0e0));
    boolean positive = r.singles().stream().allMatch(s -> s.cost() > 0);
    for (RouterResult rr : r.routers().values()) {
      for (Point p : rr.points()) {
        positive &= p.cost() > 0;
      }
    }
    chart.getStyler().setXAxisLogarithmic(positive);
    if (positive) {
      // room for the labels of the cheapest and dearest models
      double lo = Double.POSITIVE_INFINITY;
      double hi = 0;
      for (EvalReport.SingleModel m : r.singles()) {
        lo = Math.min(lo, m.cost());
        hi = Math.max(hi, m.cost());
      }
      lo = Math.min(lo, r.router("oracle") == null ? lo : r.router("oracle").points().get(0).cost());
      chart.getStyler().setXAxisMin(lo / 1.5);
      chart.getStyler().setXAxisMax(hi * 3);
    }
    chart.getStyler().setXAxisDecimalPattern(positive ? "0.0E0" : "0.0000");
    chart.getStyler().setYAxisDecimalPattern("0.00");
    // baselines first, CARROT last: drawn on top where it coincides with the oracle
    List<RouterResult> order = new ArrayList<>(r.routers().values());
    order.sort(Comparator.comparing((RouterResult rr) -> rr.name().equals(r.carrot())));
    for (RouterResult rr : order) {
      List<Point> pts = distinct(rr.points());
      double[] x = new double[pts.size()];
      double[] y = new double[pts.size()];
      for (int i = 0; i < x.length; i++) {
        x[i] = pts.get(i).cost();
        y[i] = pts.get(i).quality();
      }
      XYSeries s = chart.addSeries(rr.name(), x, y);
      s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
      boolean carrot = rr.name().equals(r.carrot());
      s.setLineColor(carrot ? CARROT : COLORS.getOrDefault(rr.name(), Color.DARK_GRAY));
      s.setMarker(SeriesMarkers.NONE);
      if (carrot) {
        s.setLineStyle(new BasicStroke(3f));
      } else if (rr.name().equals("zero-router")) {
        s.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 5f}, 0f));
      } else if (rr.name().equals("random")) {
        s.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {2f, 4f}, 0f));
      } else {
        s.setLineStyle(new BasicStroke(1.5f));
      }
    }
    double[] sx = new double[r.singles().size()];
    double[] sy = new double[sx.length];
    for (int i = 0; i < sx.length; i++) {
      sx[i] = r.singles().get(i).cost();
      sy[i] = r.singles().get(i).quality();
    }
    XYSeries singles = chart.addSeries("single models", sx, sy);
    singles.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    singles.setMarker(SeriesMarkers.CIRCLE);
    singles.setMarkerColor(new Color(0xd62728));
    chart.getStyler().setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
    chart.getStyler().setAnnotationTextFontColor(new Color(0x404040));
    for (EvalReport.SingleModel s : r.singles()) {
      chart.addAnnotation(new AnnotationText(s.model(), s.cost(), s.quality() + 0.012, false));
    }
    return png(chart);
  }

  /** Model-selection heatmap: share of test prompts CARROT sends to each model as mu grows. */
  public static byte[] selection(EvalReport r) {
    EvalReport.Selection sel = r.selection();
    List<Integer> used = new ArrayList<>();
    for (int m = 0; m < sel.models().size(); m++) {
      double max = 0;
      for (double v : sel.share()[m]) {
        max = Math.max(max, v);
      }
      if (max > 0) {
        used.add(m);
      }
    }
    // cheapest model in the bottom row, dearest on top
    used.sort(Comparator.comparingDouble((Integer m) -> r.singles().get(m).cost()));
    List<String> xs = new ArrayList<>();
    for (double mu : sel.mu()) {
      xs.add(String.format(Locale.ROOT, "%.2f", mu));
    }
    List<String> ys = new ArrayList<>();
    List<Number[]> heat = new ArrayList<>();
    for (int yi = 0; yi < used.size(); yi++) {
      int m = used.get(yi);
      ys.add(String.format(Locale.ROOT, "%s  (%.1e $)", sel.models().get(m), r.singles().get(m).cost()));
      for (int k = 0; k < xs.size(); k++) {
        heat.add(new Number[] {k, yi, sel.share()[m][k]});
      }
    }
    HeatMapChart chart =
        new HeatMapChartBuilder()
            .width(1300)
            .height(Math.max(420, 140 + 26 * ys.size()))
            .title(r.dataset() + ": share of test prompts " + r.carrot() + " routes to each model, by mu")
            .xAxisTitle("mu (0 = best predicted quality, 1 = cheapest)")
            .yAxisTitle("")
            .build();
    chart.getStyler().setShowValue(false);
    chart.getStyler().setMin(0);
    chart.getStyler().setMax(1);
    chart.getStyler().setRangeColors(sqrtScale());
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
    chart.getStyler().setXAxisLabelRotation(90);
    chart.addSeries("share", xs, ys, heat);
    return png(chart);
  }

  /**
   * Quality at 10/20/30% of the best single model's cost, relative to that model's quality (the
   * paper's spider plot as bars), one bar per router.
   */
  public static byte[] qualityAtCost(EvalReport r) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(1000)
            .height(600)
            .title(r.dataset() + ": quality at a fraction of " + r.bestSingle() + "'s cost (1 = its quality)")
            .xAxisTitle("budget: share of the best single model's mean cost")
            .yAxisTitle("quality / best single model's quality")
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisDecimalPattern("0.00");
    List<String> cats = new ArrayList<>();
    for (double f : MetricFormulas.COST_FRACTIONS) {
      cats.add(String.format(Locale.ROOT, "%.0f%%", 100 * f));
    }
    boolean unreachable = false;
    for (RouterResult rr : r.routers().values()) {
      List<Double> v = new ArrayList<>();
      for (double x : rr.metrics().qualityAtCostFraction()) {
        // n/a (a budget below the router's cheapest setting) is no bar, not a bar at 0
        v.add(Double.isNaN(x) ? null : x);
        unreachable |= Double.isNaN(x);
      }
      chart.addSeries(rr.name(), cats, v).setFillColor(rr.name().equals(r.carrot()) ? CARROT : COLORS.getOrDefault(rr.name(), Color.DARK_GRAY));
    }
    if (unreachable) {
      chart.setXAxisTitle(chart.getXAxisTitle() + " (no bar: n/a, below that router's cheapest setting)");
    }
    return png(chart);
  }

  /**
   * Reliability diagram: per bin of predicted quality, the mean prediction against the mean
   * realized score, for every (prompt, model) pair (bin counts below the points) and for the chosen
   * model at mu = 0 (counts above), each count in its curve's colour; the diagonal is perfect
   * calibration. The predictions before the
   * calibration map, when the router has one, are drawn dashed.
   */
  public static byte[] reliability(EvalReport r) {
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(850)
            .title(r.dataset() + ": reliability of " + r.carrot() + "'s predicted quality on " + r.nTest() + " test prompts")
            .xAxisTitle("predicted quality (mean of the bin)")
            .yAxisTitle("realized quality (mean of the bin)")
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotGridLinesColor(new Color(0xe0e0e0));
    chart.getStyler().setXAxisMin(0.0);
    chart.getStyler().setXAxisMax(1.0);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisMax(1.0);
    chart.getStyler().setXAxisDecimalPattern("0.0");
    chart.getStyler().setYAxisDecimalPattern("0.0");
    chart.getStyler().setMarkerSize(9);
    chart.getStyler().setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    XYSeries diagonal = chart.addSeries("perfect calibration", new double[] {0, 1}, new double[] {0, 1});
    diagonal.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    diagonal.setMarker(SeriesMarkers.NONE);
    diagonal.setLineColor(Color.BLACK);
    diagonal.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
    Color[][] colours = {{CARROT, new Color(0x1f77b4)}, {new Color(0x9a9a9a), new Color(0x9ecae1)}};
    // the uncalibrated predictions first, so the router's own curves are drawn on top
    for (int k = Math.min(r.calibration().size(), colours.length) - 1; k >= 0; k--) {
      EvalReport.CalibrationResult c = r.calibration().get(k);
      boolean own = k == 0;
      reliabilitySeries(chart, c.name() + ": all pairs (ECE " + Fmt.q(c.allPairs().ece()) + ")", c.allPairs(), colours[k][0], own, -0.035);
      reliabilitySeries(chart, c.name() + ": chosen at mu = 0 (ECE " + Fmt.q(c.chosenMu0().ece()) + ")", c.chosenMu0(), colours[k][1], own,
          0.025);
    }
    return png(chart);
  }

  /** One reliability curve; the counts are written beside the points of {@code labelled} curves. */
  private static void reliabilitySeries(XYChart chart, String name, Calibration c, Color colour, boolean labelled, double labelOffset) {
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    for (Calibration.Bin b : c.bins()) {
      if (b.count() > 0) {
        x.add(b.meanPredicted());
        y.add(b.meanObserved());
      }
    }
    XYSeries s = chart.addSeries(name, x, y);
    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    s.setLineColor(colour);
    s.setMarkerColor(colour);
    s.setMarker(labelled ? SeriesMarkers.CIRCLE : SeriesMarkers.DIAMOND);
    s.setLineStyle(labelled
        ? new BasicStroke(2.5f)
        : new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    if (labelled) {
      for (Calibration.Bin b : c.bins()) {
        if (b.count() > 0) {
          double ly = Math.max(0.015, Math.min(0.985, b.meanObserved() + labelOffset));
          chart.addAnnotation(new ColouredText("n=" + b.count(), b.meanPredicted(), ly, colour));
        }
      }
    }
  }

  /** A text annotation in its own colour (XChart colours every annotation alike). */
  private static final class ColouredText extends AnnotationText {
    private final Color colour;

    ColouredText(String text, double x, double y, Color colour) {
      super(text, x, y, false);
      this.colour = colour;
    }

    @Override
    public void paint(java.awt.Graphics2D g) {
      Color shared = styler.getAnnotationTextFontColor();
      styler.setAnnotationTextFontColor(colour.darker());
      super.paint(g);
      styler.setAnnotationTextFontColor(shared);
    }
  }

  /**
   * Colour stops evenly spaced over shares 0..1 whose colour follows the square root of the share,
   * so that the small shares most models get stay visible next to the 100% cells.
   */
  private static Color[] sqrtScale() {
    Color[] palette = {Color.WHITE, new Color(0xfdd0a2), new Color(0xfd8d3c), new Color(0xd94801), new Color(0x7f2704)};
    Color[] out = new Color[21];
    for (int i = 0; i < out.length; i++) {
      double t = Math.sqrt((double) i / (out.length - 1)) * (palette.length - 1);
      int a = Math.min(palette.length - 2, (int) t);
      double f = t - a;
      out[i] = new Color(
          (int) Math.round(palette[a].getRed() + f * (palette[a + 1].getRed() - palette[a].getRed())),
          (int) Math.round(palette[a].getGreen() + f * (palette[a + 1].getGreen() - palette[a].getGreen())),
          (int) Math.round(palette[a].getBlue() + f * (palette[a + 1].getBlue() - palette[a].getBlue())));
    }
    return out;
  }

  private static List<Point> distinct(List<Point> pts) {
    List<Point> out = new ArrayList<>();
    for (Point p : pts) {
      Point last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last == null || last.cost() != p.cost() || last.quality() != p.quality()) {
        out.add(p);
      }
    }
    return out;
  }

  private static byte[] png(Chart<?, ?> chart) {
    try {
      return BitmapEncoder.getBitmapBytes(chart, BitmapFormat.PNG);
    } catch (IOException e) {
      throw new CarrotException("cannot render a plot: " + e.getMessage(), e);
    }
  }
}
