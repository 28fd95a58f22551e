package io.carrot.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.core.TestVectors;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.predict.knn.KnnTrainer;
import io.carrot.core.route.Decision;
import io.carrot.core.route.Provenance;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.route.Router;
import io.carrot.core.route.Support;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouterFileTest {
  @TempDir Path tmp;

  /** A small router built only from seeded data, so its file is byte-reproducible. */
  static Router tinyRouter() {
    return tinyRouter(false);
  }

  /** The tiny router, with its training set's support section when {@code support}. */
  static Router tinyRouter(boolean support) {
    Random r = new Random(42);
    int n = 60;
    List<String> models = List.of("big", "mid", "small");
    float[][] e = TestVectors.randomUnit(r, n, 8);
    double[][] q = new double[n][3];
    double[][] t = new double[n][3];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 3; j++) {
        q[i][j] = r.nextInt(11) / 10.0;
        t[i][j] = r.nextInt(1000);
      }
    }
    TrainingSet ts = new TrainingSet(models, e, q, t);
    Predictor p = KnnTrainer.auto().withGrid(new int[] {2, 4, 8, 16}).fit(ts, x -> {});
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    prices.put("big", new ModelPrice(5, 15, "list"));
    prices.put("mid", new ModelPrice(0.5, 1.5, ""));
    prices.put("small", new ModelPrice(0.05, 0.1, ""));
    Provenance prov = new Provenance("tiny", "abc", n, "test-embedder", "cl100k_base", 42, "golden", "2026-01-01T00:00:00Z", Map.of("note", "golden"));
    return new Router(p, new PriceTable(prices), 40.0, prov, null, support ? Support.fit(ts, 42) : null);
  }

  static List<float[]> queries() {
    return List.of(TestVectors.randomUnit(new Random(7), 25, 8));
  }

  @Test
  void saveThenLoadGivesIdenticalDecisions() {
    Router r = tinyRouter();
    Path f = tmp.resolve("r.carrot");
    RouterFile.save(r, f);
    Router back = RouterFile.load(f);
    assertThat(back.provenance()).isEqualTo(r.provenance());
    assertThat(back.costScale()).isEqualTo(r.costScale());
    assertThat(back.predictor().hyperParameters()).isEqualTo(r.predictor().hyperParameters());
    for (float[] q : queries()) {
      for (double mu : new double[] {0, 0.01, 0.1, 0.5, 1}) {
        Decision a = r.route(q, 123, RouteOptions.mu(mu));
        Decision b = back.route(q, 123, RouteOptions.mu(mu));
        assertThat(b).isEqualTo(a);
      }
    }
  }

  /**
   * The committed golden file pins format version 1: a carrot that changes the layout must bump
   * the version (and keep reading this file, or fail with a clear message).
   */
  @Test
  void goldenFileIsByteIdenticalAndDecidesAsRecorded() throws IOException {
    Path f = tmp.resolve("r.carrot");
    RouterFile.save(tinyRouter(), f);
    Path golden = Path.of("src/test/resources/golden/tiny-router.carrot");
    if (Boolean.getBoolean("carrot.updateGolden")) {
      Files.createDirectories(golden.getParent());
      Files.copy(f, golden, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    assertThat(Files.readAllBytes(f)).isEqualTo(Files.readAllBytes(golden));
    Router g = RouterFile.load(golden);
    StringBuilder got = new StringBuilder();
    for (float[] q : queries()) {
      got.append(g.route(q, 100, RouteOptions.mu(0)).model()).append(',')
          .append(g.route(q, 100, RouteOptions.mu(0.05)).model()).append('\n');
    }
    Path expected = Path.of("src/test/resources/golden/tiny-router.decisions");
    if (Boolean.getBoolean("carrot.updateGolden")) {
      Files.writeString(expected, got.toString());
    }
    assertThat(got.toString()).isEqualTo(Files.readString(expected));
  }

  /**
   * The golden file with a support section pins format version 3: same bytes, same decisions and
   * support levels; the version-1 golden above still loads, with unknown support.
   */
  @Test
  void supportGoldenFileIsByteIdenticalAndRoundTrips() throws IOException {
    Router r = tinyRouter(true);
    Path f = tmp.resolve("s.carrot");
    RouterFile.save(r, f);
    Path golden = Path.of("src/test/resources/golden/tiny-router-support.carrot");
    if (Boolean.getBoolean("carrot.updateGolden")) {
      Files.copy(f, golden, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    assertThat(Files.readAllBytes(f)).isEqualTo(Files.readAllBytes(golden));
    Router back = RouterFile.load(golden);
    assertThat(back.support()).isPresent();
    assertThat(back.support().get().reference()).containsExactly(r.support().get().reference());
    assertThat(back.support().get().priorQuality()).containsExactly(r.support().get().priorQuality());
    StringBuilder got = new StringBuilder();
    for (float[] q : queries()) {
      for (double mu : new double[] {0, 0.05, 0.5}) {
        Decision a = r.route(q, 100, RouteOptions.mu(mu));
        assertThat(back.route(q, 100, RouteOptions.mu(mu))).isEqualTo(a);
      }
      Decision d = back.route(q, 100, RouteOptions.mu(0));
      got.append(d.model()).append(String.format(java.util.Locale.ROOT, ",%.4f,%s%n", d.support().percentile(), d.lowSupport()));
    }
    Path expected = Path.of("src/test/resources/golden/tiny-router-support.decisions");
    if (Boolean.getBoolean("carrot.updateGolden")) {
      Files.writeString(expected, got.toString());
    }
    assertThat(got.toString()).isEqualTo(Files.readString(expected));
    assertThat(com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(readEntry(golden, "router.json"))
        .path("format_version").asInt()).isEqualTo(3);
    Router old = RouterFile.load(Path.of("src/test/resources/golden/tiny-router.carrot"));
    assertThat(old.support()).isEmpty();
    assertThat(old.route(queries().get(0), 100, RouteOptions.mu(0)).support()).isNull();
  }

  /** A learned transfer curve is stored as its knots and read back exactly; a file without one keeps the Tukey rule. */
  @Test
  void theLearnedWeightCurveRoundTrips() throws IOException {
    Router r = tinyRouter(true);
    Support s = r.support().orElseThrow();
    io.carrot.core.route.TransferCurve c = new io.carrot.core.route.TransferCurve(new double[] {0.1, 0.4, 0.9}, new double[] {0, 0.25, 1});
    Router withCurve = r.withSupport(new Support(s.sample(), s.k(), s.reference(), s.priorQuality(), s.priorTokens(),
        s.trainRows(), s.sources(), c));
    Path f = tmp.resolve("t.carrot");
    RouterFile.save(withCurve, f);
    Support back = RouterFile.load(f).support().orElseThrow();
    assertThat(back.transfer().orElseThrow().similarity()).containsExactly(0.1, 0.4, 0.9);
    assertThat(back.transfer().orElseThrow().weights()).containsExactly(0, 0.25, 1);
    for (float[] q : queries()) {
      assertThat(back.level(q)).isEqualTo(withCurve.support().orElseThrow().level(q));
    }
    assertThat(RouterFile.load(Path.of("src/test/resources/golden/tiny-router-support.carrot")).support().orElseThrow().transfer()).isEmpty();
  }

  /** The fallback's input-token priors are stored and read back; a file without them prices each prompt's own count. */
  @Test
  void theInputTokenPriorsRoundTrip() throws IOException {
    Router r = tinyRouter(true);
    Support s = r.support().orElseThrow();
    double[] priorIn = new double[s.priorQuality().length];
    java.util.Arrays.setAll(priorIn, j -> 100.5 + j);
    Router withPriors = r.withSupport(new Support(s.sample(), s.k(), s.reference(), s.priorQuality(), s.priorTokens(),
        priorIn, s.trainRows(), s.sources(), null));
    Path f = tmp.resolve("in.carrot");
    RouterFile.save(withPriors, f);
    assertThat(RouterFile.load(f).support().orElseThrow().priorInputTokens()).containsExactly(priorIn);
    assertThat(RouterFile.load(Path.of("src/test/resources/golden/tiny-router-support.carrot")).support().orElseThrow()
        .priorInputTokens()).isNull();
  }

  private static byte[] readEntry(Path zipFile, String name) throws IOException {
    try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(zipFile.toFile())) {
      return z.getInputStream(z.getEntry(name)).readAllBytes();
    }
  }

  @Test
  void budgetCurveRoundTripsAndIsDroppedByAPriceChange() {
    Router r = tinyRouter().withBudgetCurve(new io.carrot.core.route.BudgetCurve(new double[] {0, 0.5, 1}, new double[] {0.01, 0.002, 0.0001}));
    Path f = tmp.resolve("curve.carrot");
    RouterFile.save(r, f);
    Router back = RouterFile.load(f);
    assertThat(back.budgetCurve()).get().satisfies(c -> {
      assertThat(c.mu()).containsExactly(0, 0.5, 1);
      assertThat(c.usdPerPrompt()).containsExactly(0.01, 0.002, 0.0001);
    });
    assertThat(back.withPrices(back.prices()).budgetCurve()).isEmpty();
    assertThat(RouterFile.load(Path.of("src/test/resources/golden/tiny-router.carrot")).budgetCurve()).isEmpty();
  }

  @Test
  void rejectsOtherFilesClearly() throws IOException {
    Path notZip = tmp.resolve("x.carrot");
    Files.writeString(notZip, "hello");
    assertThatThrownBy(() -> RouterFile.load(notZip)).hasMessageContaining("not a carrot router file");
    assertThatThrownBy(() -> RouterFile.load(tmp.resolve("missing.carrot"))).hasMessageContaining("does not exist");
    Path v2 = tmp.resolve("v2.carrot");
    try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(v2))) {
      zip.putNextEntry(new java.util.zip.ZipEntry("router.json"));
      zip.write("{\"format\": \"carrot-router\", \"format_version\": 99}".getBytes());
    }
    assertThatThrownBy(() -> RouterFile.load(v2)).hasMessageContaining("router format version 99 is not supported");
  }

  @Test
  void oneRegistryKnowsEveryEstimatorKindAndNamesThemWhenOneIsMissing() {
    assertThat(PredictorCodecs.kinds())
        .containsExactlyInAnyOrder("knn", "weighted-knn", "constant", "linear", "mlp", "low-rank", "blend", "calibrated");
    Router known = tinyRouter();
    Predictor unknown = new Predictor() {
      @Override
      public String kind() {
        return "no-such-kind";
      }

      @Override
      public List<String> models() {
        return known.predictor().models();
      }

      @Override
      public int dimension() {
        return known.predictor().dimension();
      }

      @Override
      public io.carrot.core.predict.Prediction predict(float[] embedding) {
        return known.predictor().predict(embedding);
      }

      @Override
      public Map<String, Object> hyperParameters() {
        return Map.of();
      }
    };
    Router r = new Router(unknown, known.prices(), known.costScale(), known.provenance());
    assertThatThrownBy(() -> RouterFile.save(r, tmp.resolve("x.carrot")))
        .isInstanceOf(io.carrot.core.CarrotException.class)
        .hasMessageContaining("unknown estimator 'no-such-kind'")
        .hasMessageContaining("weighted-knn");
    assertThat(tmp.resolve("x.carrot")).doesNotExist();
  }
}
