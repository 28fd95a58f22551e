package io.carrot.core.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.carrot.core.ProgressListener;
import io.carrot.core.TestVectors;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.route.Provenance;
import io.carrot.core.route.Router;
import io.carrot.core.train.Estimators;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code golden/linear-v1.carrot} was written by the {@code linear} estimator before it could choose
 * logistic quality or log-scale tokens (ridge on the raw targets only). Such files must keep
 * loading, predict exactly what they predicted then, and be written back byte for byte.
 */
class LinearFileCompatTest {
  @TempDir Path tmp;

  static final Path FIXTURE = Path.of("src/test/resources/golden/linear-v1.carrot");
  static final Path PREDICTIONS = Path.of("src/test/resources/golden/linear-v1.predictions");

  /** Seeded data: quality of "a" rises with x0, "b" is a coin; tokens of "a" follow x1. */
  static TrainingSet data(Random r, int n) {
    float[][] e = TestVectors.randomUnit(r, n, 6);
    double[][] q = new double[n][2];
    double[][] t = new double[n][2];
    for (int i = 0; i < n; i++) {
      q[i][0] = r.nextDouble() < 0.5 + 0.45 * e[i][0] ? 1 : 0;
      q[i][1] = r.nextInt(2);
      t[i][0] = Math.round(200 + 150 * e[i][1] + 20 * r.nextGaussian());
      t[i][1] = 50 + r.nextInt(20);
    }
    return new TrainingSet(List.of("a", "b"), e, q, t);
  }

  static String predictions(Predictor p) {
    StringBuilder sb = new StringBuilder();
    for (float[] x : TestVectors.randomUnit(new Random(5), 10, 6)) {
      Prediction pr = p.predict(x);
      sb.append(Arrays.toString(pr.quality())).append(' ').append(Arrays.toString(pr.outputTokens())).append('\n');
    }
    return sb.toString();
  }

  @Test
  void aLinearRouterFromBeforeLogisticQualityLoadsPredictsAndRewritesAsRecorded() throws IOException {
    if (Boolean.getBoolean("carrot.updateLinearFixture")) {
      Random r = new Random(3);
      Predictor p = Estimators.get("linear").fit(data(r, 300), data(r, 100), Map.of(), ProgressListener.NONE);
      Map<String, ModelPrice> prices = new LinkedHashMap<>();
      prices.put("a", new ModelPrice(1, 10, ""));
      prices.put("b", new ModelPrice(0.1, 1, ""));
      Provenance prov = new Provenance("compat", "", 300, "e", "c", 42, "v", "2026-01-01T00:00:00Z", Map.of());
      RouterFile.save(new Router(p, new PriceTable(prices), 100, prov), FIXTURE);
      Files.writeString(PREDICTIONS, predictions(p));
    }
    Router old = RouterFile.load(FIXTURE);
    assertThat(predictions(old.predictor())).isEqualTo(Files.readString(PREDICTIONS));
    Path again = tmp.resolve("again.carrot");
    RouterFile.save(old, again);
    assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(FIXTURE));
  }
}
