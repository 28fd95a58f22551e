package io.carrot.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.carrot.core.TestVectors;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.io.RouterFile;
import io.carrot.core.linalg.SymmetricEigen;
import io.carrot.core.predict.ConstantPredictor;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.predict.lowrank.LowRankPredictor;
import io.carrot.core.predict.network.LinearPredictor;
import io.carrot.core.route.Provenance;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.route.Router;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EstimatorsFamilyTest {
  @TempDir Path tmp;

  /** quality of "a" = 0.5 + 0.4 * x0, of "b" = 0.3 (constant); tokens of a = 100 + 50 * x1, b = 200. */
  static TrainingSet linearData(Random r, int n, double noise) {
    float[][] e = TestVectors.randomUnit(r, n, 6);
    double[][] q = new double[n][2];
    double[][] t = new double[n][2];
    for (int i = 0; i < n; i++) {
      q[i][0] = 0.5 + 0.4 * e[i][0] + noise * r.nextGaussian();
      q[i][1] = 0.3 + noise * r.nextGaussian();
      t[i][0] = 100 + 50 * e[i][1];
      t[i][1] = 200;
    }
    return new TrainingSet(List.of("a", "b"), e, q, t);
  }

  @Test
  void linearRecoversALinearTarget() {
    Random r = new Random(42);
    LinearPredictor p = LinearPredictor.fit(linearData(r, 2000, 0), linearData(r, 300, 0));
    float[] x = {0.6f, 0.8f, 0, 0, 0, 0};
    Prediction pr = p.predict(x);
    assertThat(pr.quality()[0]).isCloseTo(0.5 + 0.4 * 0.6, offset(1e-3));
    assertThat(pr.quality()[1]).isCloseTo(0.3, offset(1e-3));
    assertThat(pr.outputTokens()[0]).isCloseTo(100 + 50 * 0.8, offset(0.1));
    assertThat(pr.outputTokens()[1]).isCloseTo(200, offset(1e-6));
  }

  @Test
  void jacobiFindsEigenvectorsInDescendingOrder() {
    // [[2,1],[1,2]] has eigenvalues 3 (along (1,1)) and 1 (along (1,-1))
    double[][] v = SymmetricEigen.vectorsByDescendingValue(new double[][] {{2, 1}, {1, 2}});
    double s = Math.sqrt(0.5);
    assertThat(Math.abs(v[0][0])).isCloseTo(s, offset(1e-12));
    assertThat(v[0][0] * v[1][0]).isCloseTo(0.5, offset(1e-12));
    assertThat(v[0][1] * v[1][1]).isCloseTo(-0.5, offset(1e-12));
  }

  @Test
  void rankOneProjectionKeepsTheSharedDirection() {
    // training quality moves all models together: (0,0) or (1,1); the top direction is (1,1)/sqrt 2
    List<String> models = List.of("a", "b");
    float[][] e = {{1, 0}, {0, 1}, {1, 0}, {0, 1}};
    double[][] q = {{1, 1}, {0, 0}, {1, 1}, {0, 0}};
    TrainingSet train = new TrainingSet(models, e, q, q);
    Predictor base = new ConstantPredictor(models, 2, new double[] {0.9, 0.1}, new double[] {1, 1});
    LowRankPredictor lr = new LowRankPredictor(base, new double[] {0.5, 0.5},
        new double[][] {{Math.sqrt(0.5)}, {Math.sqrt(0.5)}});
    // deviation (0.4, -0.4) is orthogonal to (1,1): projected away
    assertThat(lr.predict(new float[] {1, 0}).quality()[0]).isCloseTo(0.5, offset(1e-12));
    assertThat(lr.predict(new float[] {1, 0}).quality()[1]).isCloseTo(0.5, offset(1e-12));
    // fitted on validation where the truth is the shared pattern, rank 1 wins over the full base
    LowRankPredictor fitted = LowRankPredictor.fit(base, train, train);
    assertThat(fitted.rank()).isEqualTo(1);
  }

  /** Every family fits, predicts in range, and survives a router file round trip unchanged. */
  @Test
  void everyFamilyRoundTripsThroughTheRouterFile() {
    Random r = new Random(7);
    TrainingSet train = linearData(r, 400, 0.1);
    TrainingSet val = linearData(r, 120, 0.1);
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    prices.put("a", new ModelPrice(1, 10, ""));
    prices.put("b", new ModelPrice(0.1, 1, ""));
    float[][] queries = TestVectors.randomUnit(new Random(9), 20, 6);
    for (String name : List.of("knn", "knn-weighted", "knn-shrink", "linear", "ensemble", "knn-low-rank", "knn-shrink-low-rank",
        "linear-low-rank", "mlp")) {
      Predictor p = Estimators.get(name).fit(train, val, Map.of(), (label, done, total) -> {});
      Router router = new Router(p, new PriceTable(prices), 100, new Provenance("t", "", 400, "e", "c", 42, "v", "t", Map.of()));
      Path f = tmp.resolve(name + ".carrot");
      RouterFile.save(router, f);
      Router back = RouterFile.load(f);
      assertThat(back.predictor().kind()).isEqualTo(p.kind());
      for (float[] q : queries) {
        Prediction a = p.predict(q);
        assertThat(java.util.Arrays.stream(a.quality()).boxed().toList()).allSatisfy(v -> assertThat(v).isBetween(0.0, 1.0));
        assertThat(back.predictor().predict(q)).usingRecursiveComparison().isEqualTo(a);
        assertThat(back.route(q, 50, RouteOptions.mu(0.3))).isEqualTo(router.route(q, 50, RouteOptions.mu(0.3)));
      }
    }
  }
}
