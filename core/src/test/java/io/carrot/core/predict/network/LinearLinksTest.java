package io.carrot.core.predict.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.carrot.core.TestVectors;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.io.RouterFile;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.route.Provenance;
import io.carrot.core.route.Router;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code linear}'s per-model choice of logistic quality and log-scale tokens. */
class LinearLinksTest {
  @TempDir Path tmp;

  /**
   * "a" is right with probability sigmoid(1 + 6 x0) (0/1 outcomes) and writes about
   * exp(4 + 2 x1) tokens (log-normal noise); "b" has the fractional score 0.5 + 0.3 x0 and writes
   * 300 + 100 x1 tokens (normal noise): linear in both.
   */
  static TrainingSet data(Random r, int n) {
    float[][] e = TestVectors.randomUnit(r, n, 6);
    double[][] q = new double[n][2];
    double[][] t = new double[n][2];
    for (int i = 0; i < n; i++) {
      q[i][0] = r.nextDouble() < pA(e[i]) ? 1 : 0;
      q[i][1] = 0.5 + 0.3 * e[i][0];
      t[i][0] = Math.round(Math.exp(4 + 2 * e[i][1] + 0.3 * r.nextGaussian()));
      t[i][1] = 300 + 100 * e[i][1] + 20 * r.nextGaussian();
    }
    return new TrainingSet(List.of("a", "b"), e, q, t);
  }

  static double pA(float[] x) {
    return 1 / (1 + Math.exp(-(1 + 6 * x[0])));
  }

  @Test
  void choosesLogisticQualityAndLogTokensWhereTheyFitAndKeepsRidgeWhereItDoes() {
    Random r = new Random(21);
    LinearPredictor p = LinearPredictor.fit(data(r, 6000), data(r, 1500));
    assertThat(LinearPredictor.Access.links(p)).containsExactly(LinearPredictor.QualityLink.LOGISTIC, LinearPredictor.QualityLink.IDENTITY);
    assertThat(LinearPredictor.Access.scales(p)).containsExactly(LinearPredictor.TokenScale.LOG1P, LinearPredictor.TokenScale.RAW);
    // the logistic fit recovers the true probability where a linear one cannot (0.99 and 0.12)
    float[] high = {0.6f, 0.8f, 0, 0, 0, 0};
    float[] low = {-0.5f, 0, 0.866f, 0, 0, 0};
    assertThat(p.predict(high).quality()[0]).isCloseTo(pA(high), offset(0.03));
    assertThat(p.predict(low).quality()[0]).isCloseTo(pA(low), offset(0.04));
    // tokens: the mean of a log-normal, exp(4 + 2 x1 + 0.3^2 / 2), within 8%
    assertThat(p.predict(high).outputTokens()[0]).isCloseTo(Math.exp(4 + 1.6 + 0.045), offset(0.08 * Math.exp(5.645)));
    assertThat(p.predict(low).outputTokens()[0]).isCloseTo(Math.exp(4 + 0.045), offset(0.08 * Math.exp(4.045)));
    assertThat(p.predict(high).outputTokens()[1]).isCloseTo(380, offset(5.0));
    @SuppressWarnings("unchecked")
    Map<String, String> links = (Map<String, String>) p.hyperParameters().get("quality_link");
    assertThat(links).containsEntry("a", "logistic").containsEntry("b", "identity");
  }

  @Test
  void logisticBeatsTheLinearProbabilityModelOnHeldOutBrier() {
    Random r = new Random(22);
    TrainingSet train = data(r, 6000);
    TrainingSet val = data(r, 1500);
    TrainingSet test = data(r, 3000);
    LinearPredictor both = LinearPredictor.fit(train, val);
    LinearPredictor ridgeOnly = LinearPredictor.fit(train, val, false, false);
    assertThat(LinearPredictor.Access.links(ridgeOnly)).containsOnly(LinearPredictor.QualityLink.IDENTITY);
    double brierBoth = 0;
    double brierRidge = 0;
    for (int i = 0; i < test.size(); i++) {
      double truth = pA(test.embeddings()[i]);
      brierBoth += Math.pow(both.predict(test.embeddings()[i]).quality()[0] - truth, 2);
      brierRidge += Math.pow(ridgeOnly.predict(test.embeddings()[i]).quality()[0] - truth, 2);
    }
    // squared distance to the true probability: logistic at least 3x closer
    assertThat(brierBoth * 3).isLessThan(brierRidge);
    // b stays ridge either way, with the same weights
    for (float[] x : TestVectors.randomUnit(new Random(2), 5, 6)) {
      assertThat(both.predict(x).quality()[1]).isEqualTo(ridgeOnly.predict(x).quality()[1]);
      assertThat(both.predict(x).outputTokens()[1]).isEqualTo(ridgeOnly.predict(x).outputTokens()[1]);
    }
  }

  @Test
  void linksAndScalesRoundTripThroughTheRouterFile() {
    Random r = new Random(23);
    LinearPredictor p = LinearPredictor.fit(data(r, 3000), data(r, 800));
    assertThat(LinearPredictor.Access.links(p)).contains(LinearPredictor.QualityLink.LOGISTIC);
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    prices.put("a", new ModelPrice(1, 10, ""));
    prices.put("b", new ModelPrice(0.1, 1, ""));
    Path f = tmp.resolve("linear.carrot");
    RouterFile.save(new Router(p, new PriceTable(prices), 100, new Provenance("t", "", 3000, "e", "c", 42, "v", "t", Map.of())), f);
    LinearPredictor back = (LinearPredictor) RouterFile.load(f).predictor();
    assertThat(LinearPredictor.Access.links(back)).isEqualTo(LinearPredictor.Access.links(p));
    assertThat(LinearPredictor.Access.scales(back)).isEqualTo(LinearPredictor.Access.scales(p));
    for (float[] x : TestVectors.randomUnit(new Random(4), 20, 6)) {
      assertThat(back.predict(x).quality()).isEqualTo(p.predict(x).quality());
      assertThat(back.predict(x).outputTokens()).isEqualTo(p.predict(x).outputTokens());
    }
  }
}
