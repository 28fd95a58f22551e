package io.carrot.bench;

import io.carrot.core.CarrotException;
import io.carrot.core.files.CsvTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the JMH benchmarks and writes {@code jmh-results.csv} plus PNG plots into an output directory
 * (docs/bench by default); {@code --help} lists the options. A {@code scale-*.csv} left in the
 * output directory by {@link ScaleProbe} is added to the store-size plot.
 */
@Command(name = "bench-runner", mixinStandardHelpOptions = true, description = "Run the JMH benchmarks; write jmh-results.csv and plots.")
public final class BenchRunner implements Callable<Integer> {
  /** One benchmark result; params are kept sorted by name so the CSV is stable. */
  record Row(String benchmark, Map<String, String> params, String mode, double score, double error, String unit, double p50, double p90, double p99) {
    Row {
      params = new TreeMap<>(params);
    }

    String paramText() {
      StringBuilder sb = new StringBuilder();
      params.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ";").append(k).append('=').append(v));
      return sb.toString();
    }
  }

  static final String ALL = "io.carrot.bench.*Benchmark.*";
  static final String KNN = "io.carrot.bench.KnnSearchBenchmark.*";

  static ChainedOptionsBuilder options(String include, String sizes, boolean quick) {
    ChainedOptionsBuilder ob = new OptionsBuilder().include(include).param("size", sizes.split(",")).shouldFailOnError(true);
    if (quick) {
      ob.warmupIterations(1).warmupTime(TimeValue.milliseconds(500)).measurementIterations(2).measurementTime(TimeValue.seconds(1));
    }
    return ob;
  }

  @Option(names = "--quick", description = "Short warm-up and measurement, for a smoke run; recorded numbers use the defaults.")
  boolean quick;

  @Option(names = "--sizes", defaultValue = "10000,30000,100000,300000", paramLabel = "N,N,...",
      description = "Store sizes (default: ${DEFAULT-VALUE}).")
  String sizes;

  @Option(names = "--out", defaultValue = "docs/bench", paramLabel = "DIR", description = "Output directory (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--only", defaultValue = ALL, paramLabel = "REGEX", description = "Benchmarks to run (default: all).")
  String only;

  @Option(names = "--replot", description = "Redraw the plots from an existing jmh-results.csv instead of running.")
  boolean replot;

  public static void main(String[] args) {
    CommandLine cl = new CommandLine(new BenchRunner());
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("bench: error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      return 1;
    });
    System.exit(cl.execute(args));
  }

  @Override
  public Integer call() throws RunnerException, IOException {
    if (replot) {
      Path results = out.resolve("jmh-results.csv");
      if (!Files.isRegularFile(results)) {
        throw new CarrotException("--replot needs " + results + "; run the benchmarks into " + out + " first");
      }
      plots(out, readCsv(results));
      return 0;
    }
    List<Row> rows = new ArrayList<>();
    rows.addAll(toRows(new Runner(options(only, sizes, quick).build()).run(), "default"));
    if (only.contains("Knn") || only.equals(ALL)) {
      // the same searches without SIMD: HotSpot's superword pass off, so the exact scan runs scalar
      rows.addAll(toRows(new Runner(options(KNN, sizes, quick).param("index", "exact").jvmArgsAppend("-XX:-UseSuperWord").build()).run(), "no-superword"));
      // Lucene computes HNSW distances with the Vector API when the module is readable
      rows.addAll(
          toRows(new Runner(options(KNN, sizes, quick).param("index", "hnsw").jvmArgsAppend("--add-modules=jdk.incubator.vector").build()).run(), "vector-api"));
    }
    Files.createDirectories(out);
    writeCsv(out.resolve("jmh-results.csv"), rows);
    plots(out, rows);
    return 0;
  }

  /** Rows of one JMH run; {@code variant} names its JVM flags and is kept as a parameter. */
  static List<Row> toRows(Collection<RunResult> results, String variant) {
    List<Row> rows = new ArrayList<>();
    for (RunResult r : results) {
      BenchmarkParams bp = r.getParams();
      Map<String, String> params = new TreeMap<>();
      params.put("jvm", variant);
      for (String k : bp.getParamsKeys()) {
        params.put(k, bp.getParam(k));
      }
      Result<?> pr = r.getPrimaryResult();
      var st = pr.getStatistics();
      String name = bp.getBenchmark().replace("io.carrot.bench.", "");
      rows.add(new Row(name, params, bp.getMode().shortLabel(), pr.getScore(), pr.getScoreError(), pr.getScoreUnit(),
          st.getPercentile(50), st.getPercentile(90), st.getPercentile(99)));
    }
    return rows;
  }

  static void writeCsv(Path file, List<Row> rows) {
    CsvTable t = new CsvTable("benchmark", "params", "mode", "score", "error", "unit", "p50", "p90", "p99");
    for (Row r : rows) {
      t.row(r.benchmark(), r.paramText(), r.mode(), f4(r.score()), f4(r.error()), r.unit(), f4(r.p50()), f4(r.p90()), f4(r.p99()));
    }
    t.write(file);
  }

  private static String f4(double x) {
    return String.format(Locale.ROOT, "%.4f", x);
  }

  /** Reads what {@link #writeCsv} wrote. */
  static List<Row> readCsv(Path file) throws IOException {
    List<Row> rows = new ArrayList<>();
    List<String> lines = Files.readAllLines(file);
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      Map<String, String> params = new TreeMap<>();
      for (String kv : f[1].split(";")) {
        int eq = kv.indexOf('=');
        if (eq > 0) {
          params.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
      }
      rows.add(new Row(f[0], params, f[2], Double.parseDouble(f[3]), Double.parseDouble(f[4]), f[5],
          Double.parseDouble(f[6]), Double.parseDouble(f[7]), Double.parseDouble(f[8])));
    }
    return rows;
  }

  /** p50 of top-32 search vs store size per index (log-log), and route latency vs model count. */
  static void plots(Path dir, List<Row> rows) throws IOException {
    Map<String, TreeMap<Double, Double>> knn = new TreeMap<>();
    Map<String, TreeMap<Double, Double>> models = new TreeMap<>();
    for (Row r : rows) {
      double ms = toMillis(r.p50(), r.unit());
      if (r.benchmark().startsWith("KnnSearchBenchmark")) {
        String jvm = r.params().getOrDefault("jvm", "default");
        knn.computeIfAbsent(r.params().get("index") + (jvm.equals("default") ? "" : " (" + jvm + ")"), x -> new TreeMap<>()).put(Double.parseDouble(r.params().get("size")), ms);
      } else if (r.benchmark().startsWith("DecisionBenchmark")) {
        String b = r.benchmark().substring(r.benchmark().indexOf('.') + 1);
        models.computeIfAbsent(b, x -> new TreeMap<>()).put(Double.parseDouble(r.params().get("models")), ms);
      }
    }
    for (Path scale : scaleFiles(dir)) {
      for (String line : Files.readAllLines(scale)) {
        String[] f = line.split(",");
        if (f.length >= 4 && f[2].equals("decision_p50_ms")) {
          // a decision at 11 models over a search: the search dominates, so it is plotted with the searches
          knn.computeIfAbsent(f[1] + " (decision, ScaleProbe)", x -> new TreeMap<>()).put(Double.parseDouble(f[0]), Double.parseDouble(f[3]));
        }
      }
    }
    if (!knn.isEmpty()) {
      XYChart c = new XYChartBuilder().width(800).height(500).title("Top-32 search, 384-d, p50").xAxisTitle("store rows").yAxisTitle("ms").build();
      c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
      c.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true);
      knn.forEach((k, v) -> c.addSeries(k, new ArrayList<>(v.keySet()), new ArrayList<>(v.values())));
      BitmapEncoder.saveBitmap(c, dir.resolve("knn-search-vs-store-size").toString(), BitmapEncoder.BitmapFormat.PNG);
    }
    if (!models.isEmpty()) {
      XYChart c = new XYChartBuilder().width(800).height(500).title("Routing decision vs model count (10k store), p50").xAxisTitle("models").yAxisTitle("ms").build();
      c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
      c.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true);
      models.forEach((k, v) -> c.addSeries(k, new ArrayList<>(v.keySet()), new ArrayList<>(v.values())));
      BitmapEncoder.saveBitmap(c, dir.resolve("decision-vs-models").toString(), BitmapEncoder.BitmapFormat.PNG);
    }
  }

  private static List<Path> scaleFiles(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().matches("scale-.*\\.csv")).sorted().toList();
    }
  }

  static double toMillis(double v, String unit) {
    return switch (unit.split("/")[0]) {
      case "ns" -> v / 1e6;
      case "us" -> v / 1e3;
      case "ms" -> v;
      case "s" -> v * 1e3;
      default -> v;
    };
  }
}
