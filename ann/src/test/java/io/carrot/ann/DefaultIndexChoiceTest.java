package io.carrot.ann;

import static org.assertj.core.api.Assertions.assertThat;

import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.index.VectorIndexes;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.predict.knn.KnnPredictor;
import io.carrot.core.predict.knn.KnnTrainer;
import io.carrot.core.route.Decision;
import io.carrot.core.route.Provenance;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.route.Router;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The default index choice (no property set): a number of stored values, so it scales with the
 * dimension; and a differential check that a router searching HNSW decides as the exact one does.
 */
class DefaultIndexChoiceTest {

  @Test
  void theThresholdIsANumberOfValuesSoItScalesWithTheDimension() {
    assertThat(VectorIndexes.configuredThreshold(384)).isEqualTo(100_000);
    assertThat(VectorIndexes.configuredThreshold(1536)).isEqualTo(25_000);
    assertThat(VectorIndexes.configuredThreshold(1000)).isEqualTo(38_400);
  }

  @Test
  void aRouterSearchingHnswDecidesAsTheExactOneDoes() {
    int d = 1024;
    Random r = new Random(41);
    float[][] x = Vectors.clustered(r, 2048, d, 40, 0.5);
    assertThat(VectorIndexes.build(x).kind()).isEqualTo("exact"); // far below the default threshold

    double[][] q = new double[x.length][3];
    double[][] t = new double[x.length][3];
    for (int i = 0; i < x.length; i++) {
      // quality and length depend on the region of the store, as on real data
      double s = x[i][0] + x[i][1];
      q[i] = new double[] {s > 0 ? 1 : r.nextInt(2), r.nextInt(2), s > 0.05 ? 1 : 0};
      t[i] = new double[] {200 + r.nextInt(400), 100 + r.nextInt(200), 300 + r.nextInt(600)};
    }
    KnnPredictor fitted = KnnTrainer.fixed(16).fit(new TrainingSet(List.of("big", "mid", "small"), x, q, t), p -> {});
    assertThat(fitted.index().kind()).isEqualTo("exact");
    Router exact = router(fitted);
    Router approx = router(fitted.withIndex(VectorIndexes.build(x, "hnsw", 0, n -> {})));
    assertThat(((KnnPredictor) approx.predictor()).index().kind()).isEqualTo("hnsw");

    int same = 0;
    int n = 0;
    float[][] queries = Vectors.clustered(new Random(42), 300, d, 40, 0.5);
    for (float[] query : queries) {
      for (double mu : new double[] {0, 0.3, 1}) {
        Decision a = approx.route(query, 500, RouteOptions.mu(mu));
        Decision b = exact.route(query, 500, RouteOptions.mu(mu));
        same += a.model().equals(b.model()) ? 1 : 0;
        n++;
      }
    }
    // HNSW returns what it finds ranked exactly; a missed neighbour changes one of 16 averaged rows
    assertThat((double) same / n).isGreaterThanOrEqualTo(0.97);
  }

  private static Router router(KnnPredictor p) {
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    prices.put("big", new ModelPrice(5, 15, ""));
    prices.put("mid", new ModelPrice(1, 3, ""));
    prices.put("small", new ModelPrice(0.1, 0.3, ""));
    return new Router(p, new PriceTable(prices), 50, new Provenance("t", "", p.index().size(), "e", "c", 42, "test", "2026-01-01T00:00:00Z", Map.of()));
  }
}
