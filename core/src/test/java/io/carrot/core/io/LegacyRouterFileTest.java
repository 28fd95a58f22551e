package io.carrot.core.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.carrot.core.TestVectors;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.predict.ConstantPredictor;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.predict.blend.BlendFitter;
import io.carrot.core.predict.blend.BlendPredictor;
import io.carrot.core.predict.calibration.CalibratedPredictor;
import io.carrot.core.predict.knn.KnnTrainer;
import io.carrot.core.route.Provenance;
import io.carrot.core.route.Router;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Router files written by earlier estimators keep loading and predicting as they did. The fixture
 * is a {@code knn-shrink} router as that name was fitted before it became the empirical-Bayes
 * estimator (calibrated blend of KNN and the global means); it was written once, with the recipe
 * below, together with its predictions.
 */
class LegacyRouterFileTest {
  private static final Path FIXTURE = Path.of("src/test/resources/golden/tiny-knn-blend-shrink.carrot");
  private static final Path PREDICTIONS = Path.of("src/test/resources/golden/tiny-knn-blend-shrink.predictions");

  static TrainingSet data(Random r, int n) {
    List<String> models = List.of("big", "mid", "small");
    float[][] e = TestVectors.randomUnit(r, n, 8);
    double[][] q = new double[n][3];
    double[][] t = new double[n][3];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 3; j++) {
        q[i][j] = Math.min(1, Math.max(0, 0.6 - 0.15 * j + 0.3 * e[i][j] + 0.2 * r.nextGaussian()));
        t[i][j] = r.nextInt(1000);
      }
    }
    return new TrainingSet(models, e, q, t);
  }

  /** The old knn-shrink recipe: KNN and the global means blended per model, then calibrated. */
  static Router oldKnnShrink() {
    Random r = new Random(42);
    TrainingSet train = data(r, 80);
    TrainingSet val = data(r, 40);
    Predictor knn = KnnTrainer.auto().withGrid(new int[] {2, 4, 8, 16}).fit(train, x -> {});
    Predictor blend = BlendFitter.fit("knn-shrink", List.of(knn, ConstantPredictor.fit(train)), val, 100);
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    prices.put("big", new ModelPrice(5, 15, "list"));
    prices.put("mid", new ModelPrice(0.5, 1.5, ""));
    prices.put("small", new ModelPrice(0.05, 0.1, ""));
    Provenance prov = new Provenance("tiny", "abc", 80, "test-embedder", "cl100k_base", 42, "legacy", "2026-01-01T00:00:00Z", Map.of("estimator", "knn-shrink"));
    return new Router(CalibratedPredictor.fit(blend, val), new PriceTable(prices), 40.0, prov);
  }

  private static String predictions(Predictor p) {
    StringBuilder s = new StringBuilder();
    for (float[] q : TestVectors.randomUnit(new Random(7), 25, 8)) {
      Prediction pr = p.predict(q);
      for (int j = 0; j < pr.quality().length; j++) {
        s.append(String.format(Locale.ROOT, "%.17g %.17g ", pr.quality()[j], pr.outputTokens()[j]));
      }
      s.append('\n');
    }
    return s.toString();
  }

  @Test
  void aKnnShrinkFileOfTheBlendEraLoadsAndPredictsAsRecorded() throws IOException {
    if (Boolean.getBoolean("carrot.updateGolden")) {
      Router r = oldKnnShrink();
      RouterFile.save(r, FIXTURE);
      Files.writeString(PREDICTIONS, predictions(r.predictor()));
    }
    Router back = RouterFile.load(FIXTURE);
    assertThat(back.predictor()).isInstanceOf(CalibratedPredictor.class);
    Predictor base = ((CalibratedPredictor) back.predictor()).base();
    assertThat(base).isInstanceOf(BlendPredictor.class);
    assertThat(((BlendPredictor) base).parts()).extracting(Predictor::kind).containsExactly("knn", "constant");
    assertThat(predictions(back.predictor())).isEqualTo(Files.readString(PREDICTIONS));
  }
}
