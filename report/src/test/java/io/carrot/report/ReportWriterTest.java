package io.carrot.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import io.carrot.core.eval.EvalReport;
import io.carrot.core.io.Json;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
  static EvalReport report;

  @BeforeAll
  static void evaluate() {
    report = TinyEval.report(50);
  }

  @Test
  void metricsJsonKeepsItsContract() {
    JsonNode m = Json.MAPPER.valueToTree(MetricsJson.of(report));
    assertThat(m.get("version").asInt()).isEqualTo(MetricsJson.VERSION);
    assertThat(m.get("dataset").asText()).isEqualTo("tiny");
    assertThat(m.get("n_test").isInt()).isTrue();
    assertThat(m.get("n_test").asInt()).isEqualTo(20);
    assertThat(m.get("best_single").get("model").asText()).isEqualTo("S");
    assertThat(m.get("best_single").get("quality").asDouble()).isEqualTo(1.0);
    assertThat(m.get("best_single").get("cost").asDouble()).isCloseTo(0.01, offset(1e-15));
    assertThat(m.get("oracle").get("quality").asDouble()).isEqualTo(1.0);
    assertThat(m.get("oracle").get("cost").asDouble()).isCloseTo(0.0055, offset(1e-15));
    JsonNode routers = m.get("routers");
    for (String name : List.of("carrot-knn", "zero-router", "static", "binary", "random", "oracle")) {
      JsonNode r = routers.get(name);
      assertThat(r).as(name).isNotNull();
      for (String k : List.of("auc", "aiq", "apgr")) {
        assertThat(r.get(k).isNumber()).as(name + "." + k).isTrue();
      }
      for (String k : List.of("cpt50", "cpt80", "cost_fraction_to_match_best", "accuracy_mu0")) {
        assertThat(r.get(k).isNumber() || r.get(k).isNull()).as(name + "." + k).isTrue();
      }
      assertThat(r.get("quality_at_cost_fraction").fieldNames()).toIterable().containsExactly("0.1", "0.2", "0.3");
    }
    JsonNode c = routers.get("carrot-knn");
    assertThat(c.get("cost_fraction_to_match_best").asDouble()).isCloseTo(0.55, offset(1e-12));
    assertThat(c.get("aiq").asDouble()).isCloseTo(0.008325 / 0.0099, offset(1e-12));
    assertThat(c.get("accuracy_mu0").asDouble()).isEqualTo(1.0);
    assertThat(routers.get("zero-router").get("accuracy_mu0").isNull()).isTrue();
    // budget 10% of S = $0.001: CARROT's hull (1e-4, 0) - (5.5e-4, .5) - (5.5e-3, 1) gives .5 + .5 * 4.5e-4 / 4.95e-3
    assertThat(c.get("quality_at_cost_fraction").get("0.1").asDouble()).isCloseTo(0.5 + 0.5 * 4.5e-4 / 4.95e-3, offset(1e-12));
    assertThat(c.get("ci95").get("aiq").size()).isEqualTo(2);
    assertThat(m.get("sanity").get("ok").asBoolean()).isTrue();
  }

  @Test
  void frontierCsvListsSinglesThenEveryRouter() {
    List<String> lines = FrontierCsv.of(report).lines().toList();
    assertThat(lines.get(0)).isEqualTo("router,param,mean_cost_usd,mean_quality");
    assertThat(lines.get(1)).isEqualTo("single:S,,0.01000000000,1.00000000");
    assertThat(lines.get(4)).isEqualTo("carrot-knn,0.000000,0.005500000000,1.00000000");
    assertThat(lines).filteredOn(l -> l.startsWith("carrot-knn,")).hasSize(101);
    assertThat(lines).filteredOn(l -> l.startsWith("binary,")).first().asString().startsWith("binary,-0.010000,0.01000000000,");
    assertThat(lines).anyMatch(l -> l.startsWith("oracle,,"));
  }

  @Test
  void writesEveryFileAndThePlotsShowTheRouters(@TempDir Path dir) throws IOException {
    List<Path> files = ReportWriter.write(report, dir);
    assertThat(files).extracting(p -> p.getFileName().toString())
        .containsExactly("metrics.json", "frontier.csv", "report.md", "frontier.png", "selection.png", "quality-at-cost.png");
    String md = Files.readString(dir.resolve("report.md"));
    assertThat(md).contains("carrot-knn matches S's quality at **55.0% [");
    assertThat(md).contains("| **carrot-knn** | ").contains("![frontier](frontier.png)").doesNotContain("SANITY CHECK FAILED");
    BufferedImage frontier = image(dir.resolve("frontier.png"));
    assertThat(frontier.getWidth()).isEqualTo(1100);
    assertThat(frontier.getHeight()).isEqualTo(750);
    // CARROT's orange line and the single models' red markers are drawn
    assertThat(count(frontier, new Color(0xff7f0e))).isGreaterThan(100);
    assertThat(count(frontier, new Color(0xd62728))).isGreaterThan(20);
    assertThat(count(image(dir.resolve("quality-at-cost.png")), new Color(0xff7f0e))).isGreaterThan(1000);
    // every prompt goes to B from mu = 0.92 on: 5 cells of the darkest brown (share 1)
    BufferedImage sel = image(dir.resolve("selection.png"));
    int dark = 0;
    for (int y = 0; y < sel.getHeight(); y++) {
      for (int x = 0; x < sel.getWidth(); x++) {
        Color c = new Color(sel.getRGB(x, y));
        dark += c.getRed() >= 0x70 && c.getRed() <= 0x90 && c.getGreen() < 0x40 && c.getBlue() < 0x20 ? 1 : 0;
      }
    }
    assertThat(dark).isGreaterThan(3000);
  }

  @Test
  void aFailedSanityCheckIsLoud(@TempDir Path dir) throws IOException {
    EvalReport bad = TinyEval.withViolations(report, List.of("static at param 0.5: quality 0.9 above the oracle's 0.8"));
    ReportWriter.write(bad, dir);
    String md = Files.readString(dir.resolve("report.md"));
    assertThat(md).contains("**WARNING: SANITY CHECK FAILED.**").contains("> - static at param 0.5: quality 0.9 above the oracle's 0.8");
    assertThat(md.indexOf("SANITY")).isLessThan(md.indexOf("## Headline"));
    JsonNode m = Json.MAPPER.readTree(dir.resolve("metrics.json").toFile());
    assertThat(m.get("sanity").get("ok").asBoolean()).isFalse();
    assertThat(m.get("sanity").get("violations").get(0).asText()).startsWith("static at param 0.5");
  }

  @Test
  void resultsIndexLinksEachDatasetsPlotsRelatively(@TempDir Path dir) {
    Path out = dir.resolve("docs/results");
    String md = ResultsIndex.render(List.of(report), dir.resolve("docs/RESULTS.md"), out, "carrot eval --all --out docs/results", 12.3, "2 cores");
    assertThat(md).contains("| [tiny](#tiny) | 20 x 3 | S 1.0000 at 1.000e-02 | 1.0000 | 1.0000 | 55.0% |");
    assertThat(md).contains("![tiny frontier](results/tiny/frontier.png)").contains("[results/tiny/report.md](results/tiny/report.md)");
    assertThat(md).contains("The whole run took 12 s on 2 cores");
    assertThat(ResultsIndex.anchor("routerbench_subset")).isEqualTo("routerbench_subset");
  }

  private static BufferedImage image(Path p) throws IOException {
    return ImageIO.read(new ByteArrayInputStream(Files.readAllBytes(p)));
  }

  private static int count(BufferedImage img, Color c) {
    int n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        if ((img.getRGB(x, y) & 0xffffff) == (c.getRGB() & 0xffffff)) {
          n++;
        }
      }
    }
    return n;
  }
}
