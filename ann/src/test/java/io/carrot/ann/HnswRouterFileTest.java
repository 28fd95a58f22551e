package io.carrot.ann;

import static org.assertj.core.api.Assertions.assertThat;

import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.files.Json;
import io.carrot.core.index.VectorIndexes;
import io.carrot.core.io.RouterFile;
import io.carrot.core.io.VectorEncoding;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.predict.knn.KnnPredictor;
import io.carrot.core.predict.knn.KnnTrainer;
import io.carrot.core.route.Provenance;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.route.Router;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A router searching HNSW keeps its graph in the router file and decides the same after loading. */
class HnswRouterFileTest {
  @TempDir Path tmp;

  static Router router(float[][] x) {
    Random r = new Random(3);
    int n = x.length;
    double[][] q = new double[n][2];
    double[][] t = new double[n][2];
    for (int i = 0; i < n; i++) {
      q[i] = new double[] {r.nextInt(2), r.nextInt(2)};
      t[i] = new double[] {r.nextInt(900), r.nextInt(900)};
    }
    KnnPredictor exact = KnnTrainer.fixed(8).fit(new TrainingSet(List.of("big", "small"), x, q, t), p -> {});
    KnnPredictor hnsw = exact.withIndex(HnswIndex.build(x, HnswParameters.DEFAULT, p -> {}));
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    prices.put("big", new ModelPrice(5, 15, ""));
    prices.put("small", new ModelPrice(0.1, 0.3, ""));
    return new Router(hnsw, new PriceTable(prices), 50, new Provenance("t", "", n, "e", "c", 42, "test", "2026-01-01T00:00:00Z", Map.of()));
  }

  @Test
  void theGraphIsStoredAndLoadedInsteadOfRebuilt() throws Exception {
    float[][] x = Vectors.clustered(new Random(21), 3000, 24, 30, 0.4);
    Router r = router(x);
    Path f = tmp.resolve("hnsw.carrot");
    RouterFile.save(r, f, VectorEncoding.F32);
    try (ZipFile z = new ZipFile(f.toFile())) {
      assertThat(z.getEntry("knn/index.hnsw")).isNotNull();
      var meta = Json.MAPPER.readTree(z.getInputStream(z.getEntry("router.json")));
      assertThat(meta.path("format_version").asInt()).isEqualTo(2);
      assertThat(meta.path("estimator").path("index").asText()).isEqualTo("hnsw");
    }
    Router back = RouterFile.load(f);
    assertThat(((KnnPredictor) back.predictor()).index().kind()).isEqualTo("hnsw");
    assertThat(back.predictor().hyperParameters()).isEqualTo(r.predictor().hyperParameters());
    for (float[] q : Vectors.clustered(new Random(22), 200, 24, 30, 0.4)) {
      for (double mu : new double[] {0, 0.2, 1}) {
        assertThat(back.route(q, 100, RouteOptions.mu(mu))).isEqualTo(r.route(q, 100, RouteOptions.mu(mu)));
      }
    }
  }

  @Test
  void forcingExactSearchIgnoresTheStoredGraph() {
    float[][] x = Vectors.clustered(new Random(23), 500, 8, 10, 0.4);
    Path f = tmp.resolve("hnsw.carrot");
    RouterFile.save(router(x), f);
    String old = System.getProperty(VectorIndexes.PROPERTY);
    System.setProperty(VectorIndexes.PROPERTY, "exact");
    try {
      assertThat(((KnnPredictor) RouterFile.load(f).predictor()).index().kind()).isEqualTo("exact");
    } finally {
      if (old == null) {
        System.clearProperty(VectorIndexes.PROPERTY);
      } else {
        System.setProperty(VectorIndexes.PROPERTY, old);
      }
    }
  }
}
