package io.carrot.core.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.predict.knn.KnnTrainer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

public class RouterTest {
  static final Provenance PROV = new Provenance("t", "0", 1, "e", "cl100k_base", 42, "test", "2026-01-01T00:00:00Z", Map.of());

  /** A predictor that returns a fixed prediction. */
  static Predictor fixed(List<String> models, double[] q, double[] t) {
    return new Predictor() {
      public String kind() {
        return "fixed";
      }

      public List<String> models() {
        return models;
      }

      public int dimension() {
        return 1;
      }

      public Prediction predict(float[] e) {
        return new Prediction(q.clone(), t.clone());
      }

      public Map<String, Object> hyperParameters() {
        return Map.of();
      }
    };
  }

  static PriceTable prices(double... outPerMtok) {
    Map<String, ModelPrice> m = new LinkedHashMap<>();
    for (int i = 0; i < outPerMtok.length; i++) {
      m.put(String.valueOf((char) ('a' + i)), new ModelPrice(1, outPerMtok[i], ""));
    }
    return new PriceTable(m);
  }

  /** A predictor with zero predictions, for tests that only need a model list. */
  public static Predictor fixedPredictor(List<String> models) {
    return fixed(models, new double[models.size()], new double[models.size()]);
  }

  @Test
  void handComputedDecision() {
    // a: strong and pricey, b: weaker and cheap
    Router r = new Router(fixed(List.of("a", "b"), new double[] {0.9, 0.6}, new double[] {1000, 1000}), prices(30, 1), 100, PROV);
    // cost a = (100*1 + 1000*30)/1e6 = 0.0301, b = (100 + 1000)/1e6 = 0.0011
    Decision d0 = r.route(new float[] {1}, 100, RouteOptions.mu(0));
    assertThat(d0.model()).isEqualTo("a");
    assertThat(d0.candidates()).extracting(Candidate::costUsd).containsExactly(0.0301, 0.0011);
    // mu = 0.5: a = 0.45 - 0.5*100*0.0301 = -1.055 ; b = 0.3 - 0.055 = 0.245
    Decision d = r.route(new float[] {1}, 100, RouteOptions.mu(0.5));
    assertThat(d.model()).isEqualTo("b");
    assertThat(d.candidates().get(0).score()).isCloseTo(0.245, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(d.candidates().get(1).score()).isCloseTo(-1.055, org.assertj.core.data.Offset.offset(1e-12));
    // the break-even: 0.9(1-mu) - 3.01mu = 0.6(1-mu) - 0.11mu  => mu = 0.3 / 3.2 = 0.09375
    assertThat(r.route(new float[] {1}, 100, RouteOptions.mu(0.09)).model()).isEqualTo("a");
    assertThat(r.route(new float[] {1}, 100, RouteOptions.mu(0.1)).model()).isEqualTo("b");
  }

  @Test
  void tiesGoToLowerCostThenName() {
    Router r = new Router(fixed(List.of("a", "b", "c"), new double[] {0.5, 0.5, 0.5}, new double[] {0, 0, 0}), prices(5, 5, 5), 1, PROV);
    // identical scores and costs at mu = 0: name decides
    assertThat(r.route(new float[] {1}, 0, RouteOptions.mu(0)).model()).isEqualTo("a");
    Router r2 = new Router(fixed(List.of("a", "b"), new double[] {0.5, 0.5}, new double[] {10, 10}), prices(5, 2), 1, PROV);
    // same quality at mu = 0, b is cheaper
    assertThat(r2.route(new float[] {1}, 0, RouteOptions.mu(0)).model()).isEqualTo("b");
  }

  @Test
  void allowedModelsAndBadKnobs() {
    Router r = new Router(fixed(List.of("a", "b"), new double[] {0.9, 0.6}, new double[] {10, 10}), prices(30, 1), 1, PROV);
    Decision d = r.route(new float[] {1}, 1, RouteOptions.mu(0).withAllow(Set.of("b")));
    assertThat(d.model()).isEqualTo("b");
    assertThat(d.candidates()).hasSize(1);
    assertThatThrownBy(() -> r.route(new float[] {1}, 1, RouteOptions.mu(0).withAllow(Set.of("zz"))))
        .hasMessageContaining("unknown model 'zz'");
    assertThatThrownBy(() -> RouteOptions.mu(1.5)).hasMessage("mu must be in [0, 1], got 1.5");
    assertThatThrownBy(() -> RouteOptions.mu(Double.NaN)).hasMessage("mu must be in [0, 1], got NaN");
  }

  @Test
  void pricesSwapWithoutRetraining() {
    Router r = new Router(fixed(List.of("a", "b"), new double[] {0.9, 0.8}, new double[] {1000, 1000}), prices(10, 10), 100, PROV);
    assertThat(r.route(new float[] {1}, 0, RouteOptions.mu(0.2)).model()).isEqualTo("a");
    Router cheaperB = r.withPrices(prices(10, 0.1));
    // a: 0.72 - 0.2*100*0.01 = 0.52 ; b: 0.64 - 0.2*100*0.0001 = 0.638
    assertThat(cheaperB.route(new float[] {1}, 0, RouteOptions.mu(0.2)).model()).isEqualTo("b");
    assertThatThrownBy(() -> r.withPrices(prices(1))).hasMessageContaining("model 'b' has no price");
  }

  /** Property: over random KNN routers, raising mu never raises mean predicted cost; choice is allowed. */
  @Test
  void raisingMuNeverRaisesPredictedCost() {
    Random rnd = new Random(42);
    for (int trial = 0; trial < 30; trial++) {
      int m = 2 + rnd.nextInt(6);
      int n = 40 + rnd.nextInt(60);
      int d = 4;
      List<String> names = new java.util.ArrayList<>();
      double[] outPrice = new double[m];
      for (int j = 0; j < m; j++) {
        names.add(String.valueOf((char) ('a' + j)));
        outPrice[j] = Math.exp(rnd.nextGaussian() * 2);
      }
      float[][] e = io.carrot.core.TestVectors.randomUnit(rnd, n, d);
      double[][] q = new double[n][m];
      double[][] t = new double[n][m];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < m; j++) {
          q[i][j] = rnd.nextInt(11) / 10.0;
          t[i][j] = rnd.nextInt(2000);
        }
      }
      Predictor p = KnnTrainer.fixed(1 + rnd.nextInt(8)).fit(new TrainingSet(names, e, q, t), x -> {});
      Router r = new Router(p, prices(outPrice), 1 + rnd.nextDouble() * 1000, PROV);
      Set<String> allowed = rnd.nextBoolean() ? Set.of() : Set.of(names.get(0), names.get(m - 1));
      float[][] queries = io.carrot.core.TestVectors.randomUnit(rnd, 30, d);
      double prev = Double.POSITIVE_INFINITY;
      for (int s = 0; s <= 50; s++) {
        double mu = s / 50.0;
        double total = 0;
        for (float[] qv : queries) {
          Decision dec = r.route(qv, 50, RouteOptions.mu(mu).withAllow(allowed));
          if (!allowed.isEmpty()) {
            assertThat(allowed).contains(dec.model());
          }
          assertThat(names).contains(dec.model());
          total += dec.chosen().costUsd();
        }
        assertThat(total).isLessThanOrEqualTo(prev + 1e-15);
        prev = total;
      }
    }
  }

  @Test
  void argmaxAgreesWithDecide() {
    Random rnd = new Random(7);
    List<String> names = List.of("a", "b", "c", "d");
    for (int trial = 0; trial < 500; trial++) {
      double[] q = new double[4];
      double[] t = new double[4];
      for (int j = 0; j < 4; j++) {
        q[j] = rnd.nextInt(3) / 2.0;
        t[j] = rnd.nextInt(3) * 100;
      }
      Router r = new Router(fixed(names, q, t), prices(1, 2, 1, 2), 10, PROV);
      double mu = rnd.nextInt(5) / 4.0;
      Decision d = r.route(new float[] {1}, 10, RouteOptions.mu(mu));
      double[] cost = d.candidates().stream().sorted(java.util.Comparator.comparing(Candidate::model)).mapToDouble(Candidate::costUsd).toArray();
      assertThat(names.get(Router.argmax(mu, q, cost, 10, names, null))).isEqualTo(d.model());
    }
  }

  @Test
  void costScaleIsInverseMeanCostOfThePriciestModel() {
    double[][] c = {{1, 4}, {3, 8}};
    assertThat(Router.costScaleFor(c)).isEqualTo(1.0 / 6);
  }

  @Test
  void aPromptLongerThanAModelsContextWindowNeverGoesThere() {
    Map<String, ModelPrice> m = new LinkedHashMap<>();
    m.put("a", new ModelPrice(1, 10, "", 1000)); // best quality, small window
    m.put("b", new ModelPrice(1, 1, "", 0)); // window unknown: no limit
    m.put("c", new ModelPrice(1, 2, "", 5000));
    Router r = new Router(fixed(List.of("a", "b", "c"), new double[] {0.9, 0.5, 0.7}, new double[] {10, 10, 10}),
        new PriceTable(m), 1, PROV);
    Decision shortPrompt = r.route(new float[] {1}, 1000, RouteOptions.mu(0));
    assertThat(shortPrompt.model()).isEqualTo("a");
    assertThat(shortPrompt.notes()).isEmpty();
    Decision longPrompt = r.route(new float[] {1}, 1001, RouteOptions.mu(0));
    assertThat(longPrompt.model()).isEqualTo("c");
    assertThat(longPrompt.candidates()).extracting(Candidate::model).containsExactly("c", "b");
    assertThat(longPrompt.notes())
        .containsExactly("not considered, the prompt's 1001 input tokens exceed their context window: a (1000)");
    assertThatThrownBy(() -> r.route(new float[] {1}, 6000, RouteOptions.mu(0).withAllow(Set.of("a", "c"))))
        .isInstanceOf(ContextLengthExceeded.class)
        .hasMessage("the prompt has 6000 input tokens, more than the context window of every allowed model: a (1000), c (5000);"
            + " shorten it to at most 5000 tokens")
        .satisfies(e -> assertThat(((ContextLengthExceeded) e).largestWindow()).isEqualTo(5000));
  }

  @Test
  void contextWindowIsReadWrittenAndValidated() throws Exception {
    var json = io.carrot.core.files.Json.MAPPER.readTree(
        "{\"a\": {\"input_per_mtok\": 1, \"output_per_mtok\": 2, \"context_window\": 8192}, \"b\": {\"input_per_mtok\": 1, \"output_per_mtok\": 2}}");
    PriceTable t = PriceTable.fromJson(json, "models.json");
    assertThat(t.price("a").contextWindow()).isEqualTo(8192);
    assertThat(t.price("b").contextWindow()).isZero();
    assertThat(PriceTable.fromJson(t.toJson(), "x").asMap()).isEqualTo(t.asMap());
    var bad = io.carrot.core.files.Json.MAPPER.readTree("{\"a\": {\"input_per_mtok\": 1, \"output_per_mtok\": 2, \"context_window\": -5}}");
    assertThatThrownBy(() -> PriceTable.fromJson(bad, "models.json"))
        .hasMessage("models.json: model 'a': context_window = -5, expected a whole number of tokens >= 1");
  }
}
