package io.carrot.core.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.predict.ConstantPredictor;
import io.carrot.core.predict.knn.KnnTrainer;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Support and the fallback toward the priors on a synthetic dataset of two well-separated sources:
 * a router trained on source A must flag source B's prompts and route them like the prompt-blind
 * router, and leave A's prompts alone.
 */
class SupportTest {
  static final int D = 16;
  /** Source centres and a direction no training vector has a component along. */
  static final int A_AXIS = 0;
  static final int B_AXIS = 1;
  static final int AWAY_AXIS = D - 1;
  static final List<String> MODELS = List.of("strong", "cheap");

  /** A prompt of the source along {@code axis}: the centre plus noise off the away axis, unit length. */
  static float[] prompt(Random r, int axis) {
    float[] v = new float[D];
    for (int i = 0; i < D - 1; i++) {
      v[i] = (float) (0.1 * r.nextGaussian());
    }
    v[axis] += 1;
    return unit(v);
  }

  static float[] unit(float[] v) {
    double n = 0;
    for (float x : v) {
      n += x * x;
    }
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / Math.sqrt(n));
    }
    return out;
  }

  /**
   * Source A, where the prompt decides the better model: "strong" is right where coordinate 2 is
   * positive, "cheap" elsewhere. Over the set, strong is right more often (the prior's choice).
   */
  static TrainingSet sourceA(Random r, int n) {
    float[][] e = new float[n][];
    double[][] q = new double[n][];
    double[][] t = new double[n][];
    for (int i = 0; i < n; i++) {
      e[i] = prompt(r, A_AXIS);
      boolean strongWins = e[i][2] > -0.03;
      q[i] = strongWins ? new double[] {1, 0} : new double[] {0.2, 1};
      t[i] = new double[] {300 + r.nextInt(100), 100 + r.nextInt(50)};
    }
    return new TrainingSet(MODELS, e, q, t);
  }

  static Router router(TrainingSet ts, Predictor p) {
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    prices.put("strong", new ModelPrice(5, 15, ""));
    prices.put("cheap", new ModelPrice(0.1, 0.3, ""));
    return new Router(p, new PriceTable(prices), 200, RouterTest.PROV, null, Support.fit(ts, 42));
  }

  @Test
  void anUnseenSourceIsLowSupportAndRoutedLikeThePriors() {
    Random r = new Random(1);
    TrainingSet ts = sourceA(r, 300);
    Router knn = router(ts, KnnTrainer.fixed(5).fit(ts, x -> {}));
    ConstantPredictor prior = ConstantPredictor.fit(ts);
    Router blind = router(ts, prior);
    assertThat(prior.quality()[0]).isGreaterThan(prior.quality()[1]); // strong is best on the training data
    int knnChoseCheapAtMu0 = 0;
    for (int i = 0; i < 50; i++) {
      float[] b = prompt(r, B_AXIS);
      Decision d = knn.route(b, 200, RouteOptions.mu(0));
      assertThat(d.lowSupport()).isTrue();
      assertThat(d.support().percentile()).isLessThan(0.02);
      assertThat(d.support().weight()).isEqualTo(0);
      assertThat(d.notes()).anyMatch(n -> n.startsWith("low support"));
      for (double mu : new double[] {0, 0.2, 0.5, 0.8, 1}) {
        Decision fallback = knn.route(b, 200, RouteOptions.mu(mu));
        Decision prompBlind = blind.route(b, 200, RouteOptions.mu(mu));
        assertThat(fallback.candidates()).isEqualTo(prompBlind.candidates());
      }
      Decision raw = knn.route(b, 200, RouteOptions.mu(0).withSupportFallback(false));
      assertThat(raw.lowSupport()).isTrue();
      knnChoseCheapAtMu0 += raw.model().equals("cheap") ? 1 : 0;
      assertThat(d.model()).isEqualTo("strong");
    }
    // without the fallback the neighbours of an unfamiliar prompt decide: the test means something
    assertThat(knnChoseCheapAtMu0).isGreaterThan(5);
  }

  /**
   * Where the fallback is complete, a prompt's own length is priced no more than its vector is
   * trusted: an unseen prompt is routed like the prompt-blind router at every mu, priced at the
   * training prompts' mean input tokens, whether it is 20 tokens long or 20,000.
   */
  @Test
  void theFallbackPricesTheTrainingMeanInputAtEveryMu() {
    Random r = new Random(5);
    TrainingSet plain = sourceA(r, 300);
    List<ModelPrice> prices = List.of(new ModelPrice(5, 15, ""), new ModelPrice(0.1, 0.3, ""));
    int n = plain.size();
    double[][] in = new double[n][];
    double[][] cost = new double[n][2];
    double meanIn = 0;
    for (int i = 0; i < n; i++) {
      double tokens = 100 + r.nextInt(1000);
      in[i] = new double[] {tokens, tokens};
      meanIn += tokens / n;
      for (int j = 0; j < 2; j++) {
        cost[i][j] = prices.get(j).cost(tokens, plain.outputTokens()[i][j]);
      }
    }
    TrainingSet ts = new TrainingSet(MODELS, plain.embeddings(), plain.quality(), plain.outputTokens(),
        new TrainingSet.Costs(prices, in, cost));
    Router knn = router(ts, KnnTrainer.fixed(5).fit(ts, x -> {}));
    Router blind = router(ts, ConstantPredictor.fit(ts));
    assertThat(knn.support().orElseThrow().priorInputTokens()).containsExactly(new double[] {meanIn, meanIn}, within(1e-9));
    int blindDiffersByLength = 0;
    for (int i = 0; i < 20; i++) {
      float[] b = prompt(r, B_AXIS);
      for (int step = 0; step <= 100; step++) {
        double mu = step / 100.0;
        Decision atMean = blind.route(b, meanIn, RouteOptions.mu(mu));
        for (double tokens : new double[] {20, 20_000}) {
          Decision d = knn.route(b, tokens, RouteOptions.mu(mu));
          assertThat(d.support().weight()).isEqualTo(0);
          assertThat(d.candidates()).isEqualTo(atMean.candidates());
          assertThat(d.inputTokens()).isEqualTo(tokens);
        }
        RouteOptions own = RouteOptions.mu(mu).withSupportFallback(false);
        blindDiffersByLength += blind.route(b, 20, own).model().equals(blind.route(b, 20_000, own).model()) ? 0 : 1;
      }
    }
    // priced at its own length, the prompt-blind rule would route the two lengths apart: the test means something
    assertThat(blindDiffersByLength).isGreaterThan(0);
  }

  @Test
  void promptsOfTheTrainedSourceKeepTheirPredictions() {
    Random r = new Random(2);
    TrainingSet ts = sourceA(r, 300);
    Router knn = router(ts, KnnTrainer.fixed(5).fit(ts, x -> {}));
    int low = 0;
    double sum = 0;
    int full = 0;
    for (int i = 0; i < 200; i++) {
      float[] a = prompt(r, A_AXIS);
      Decision d = knn.route(a, 200, RouteOptions.mu(0));
      low += d.lowSupport() ? 1 : 0;
      sum += d.support().percentile();
      if (d.support().weight() == 1) {
        full++;
        assertThat(d.candidates()).isEqualTo(knn.route(a, 200, RouteOptions.mu(0).withSupportFallback(false)).candidates());
      }
    }
    // fresh prompts of the training distribution: percentiles about uniform, few outliers, most untouched
    assertThat(sum / 200).isBetween(0.35, 0.65);
    assertThat(low).isLessThanOrEqualTo(10);
    assertThat(full).isGreaterThan(120);
  }

  @Test
  void supportFallsMonotonicallyAsAPromptMovesAway() {
    Random r = new Random(3);
    TrainingSet ts = sourceA(r, 200);
    Support s = Support.fit(ts, 42);
    double lastSim = Double.POSITIVE_INFINITY;
    double lastPct = 2;
    double lastWeight = 2;
    boolean wasLow = false;
    for (int step = 0; step <= 40; step++) {
      double theta = step * Math.PI / 2 / 40;
      float[] x = new float[D];
      x[A_AXIS] = (float) Math.cos(theta);
      x[AWAY_AXIS] = (float) Math.sin(theta);
      Support.Level l = s.level(x);
      assertThat(l.similarity()).isLessThan(lastSim);
      assertThat(l.percentile()).isLessThanOrEqualTo(lastPct);
      assertThat(l.weight()).isLessThanOrEqualTo(lastWeight);
      assertThat(!wasLow || l.low()).as("once low, stays low").isTrue();
      lastSim = l.similarity();
      lastPct = l.percentile();
      lastWeight = l.weight();
      wasLow = l.low();
    }
    assertThat(s.level(new float[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}).low()).isFalse();
    assertThat(wasLow).isTrue(); // orthogonal to every training prompt
    assertThat(lastSim).isCloseTo(0, within(1e-6));
  }

  @Test
  void weightIsTheSmoothstepBetweenTheFenceAndTheFirstQuartile() {
    // reference 0.1, 0.2, ..., 0.9 (nine training prompts): Q1 0.3, Q3 0.7, fence 0.3 - 1.5 * 0.4 = -0.3
    float[][] sample = new float[9][];
    float[] ref = new float[9];
    for (int i = 0; i < 9; i++) {
      sample[i] = new float[] {1, 0};
      ref[i] = (i + 1) / 10f;
    }
    Support s = new Support(sample, 1, ref, new double[] {0.5, 0.25}, new double[] {10, 20}, 9, Map.of());
    assertThat(s.fullWeightFrom()).isCloseTo(0.3, within(1e-6));
    assertThat(s.fence()).isCloseTo(-0.3, within(1e-6));
    // a prompt at angle with cosine 0 to the stored vector: t = (0 + 0.3) / 0.6 = 0.5, smoothstep 0.5
    Support.Level mid = s.level(new float[] {0, 1});
    assertThat(mid.similarity()).isCloseTo(0, within(1e-9));
    assertThat(mid.weight()).isCloseTo(0.5, within(1e-6));
    assertThat(mid.low()).isFalse();
    assertThat(mid.percentile()).isEqualTo(0);
    var p = s.towardPriors(new io.carrot.core.predict.Prediction(new double[] {1, 1}, new double[] {0, 100}), mid);
    assertThat(p.quality()).containsExactly(new double[] {0.75, 0.625}, within(1e-6));
    assertThat(p.outputTokens()).containsExactly(new double[] {5, 60}, within(1e-4));
    Support.Level far = s.level(new float[] {-1, 0});
    assertThat(far.low()).isTrue();
    assertThat(far.weight()).isEqualTo(0);
    Support.Level near = s.level(new float[] {1, 0});
    assertThat(near.weight()).isEqualTo(1);
    assertThat(near.percentile()).isEqualTo(1);
  }

  @Test
  void largeTrainingSetsKeepABoundedSeededSample() {
    Random r = new Random(4);
    TrainingSet ts = sourceA(r, Support.MAX_SAMPLE + 300);
    Support a = Support.fit(ts, 7);
    assertThat(a.sample()).hasNumberOfRows(Support.MAX_SAMPLE);
    assertThat(a.trainRows()).isEqualTo(Support.MAX_SAMPLE + 300);
    assertThat(Support.fit(ts, 7).reference()).containsExactly(a.reference());
  }
}
