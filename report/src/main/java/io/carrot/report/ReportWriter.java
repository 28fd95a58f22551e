package io.carrot.report;

import io.carrot.core.CarrotException;
import io.carrot.core.eval.EvalReport;
import io.carrot.core.files.AtomicFiles;
import io.carrot.core.files.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one evaluation to a folder: {@code metrics.json}, {@code frontier.csv}, {@code report.md},
 * {@code frontier.png}, {@code selection.png}, {@code quality-at-cost.png}, {@code calibration.png}. Each file is written to
 * a temporary file and moved into place, so a reader never sees half a file.
 */
public final class ReportWriter {
  public static final String METRICS = "metrics.json";
  public static final String FRONTIER_CSV = "frontier.csv";
  public static final String REPORT = "report.md";
  public static final String FRONTIER_PNG = "frontier.png";
  public static final String SELECTION_PNG = "selection.png";
  public static final String QUALITY_AT_COST_PNG = "quality-at-cost.png";
  public static final String CALIBRATION_PNG = "calibration.png";

  private ReportWriter() {}

  /** Writes every output; returns the files written. */
  public static List<Path> write(EvalReport r, Path dir) {
    List<Path> out = new ArrayList<>();
    try {
      out.add(text(dir.resolve(METRICS), Json.MAPPER.writeValueAsString(MetricsJson.of(r)) + "\n"));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new CarrotException("cannot serialize the metrics of " + r.dataset() + ": " + e.getMessage(), e);
    }
    out.add(text(dir.resolve(FRONTIER_CSV), FrontierCsv.of(r)));
    out.add(text(dir.resolve(REPORT), MarkdownReport.render(r, "")));
    out.add(bytes(dir.resolve(FRONTIER_PNG), Plots.frontier(r)));
    out.add(bytes(dir.resolve(SELECTION_PNG), Plots.selection(r)));
    out.add(bytes(dir.resolve(QUALITY_AT_COST_PNG), Plots.qualityAtCost(r)));
    out.add(bytes(dir.resolve(CALIBRATION_PNG), Plots.reliability(r)));
    return out;
  }

  private static Path text(Path p, String s) {
    AtomicFiles.writeString(p, s);
    return p;
  }

  private static Path bytes(Path p, byte[] b) {
    AtomicFiles.write(p, o -> o.write(b));
    return p;
  }
}
