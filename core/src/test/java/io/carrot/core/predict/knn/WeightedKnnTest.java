package io.carrot.core.predict.knn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import io.carrot.core.CarrotException;
import io.carrot.core.TestVectors;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.io.RouterFile;
import io.carrot.core.io.VectorEncoding;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.route.Provenance;
import io.carrot.core.route.Router;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightedKnnTest {
  private static final double INF = Double.POSITIVE_INFINITY;
  private static final List<String> AB = List.of("a", "b");

  @TempDir Path tmp;

  /**
   * Four prompts at cosine 1, 0.8, 0.6 and 0 from the query (1, 0). Quality of a: 1, 0, 1, 0; of b:
   * 0, 1, 1, 0 (global means 0.5 and 0.5); tokens of a: 100, 200, 300, 400 (mean 250), of b: 10,
   * 20, 30, 40 (mean 25).
   */
  static TrainingSet tiny() {
    float[][] e = {{1, 0}, {0.8f, 0.6f}, {0.6f, 0.8f}, {0, 1}};
    double[][] q = {{1, 0}, {0, 1}, {1, 1}, {0, 0}};
    double[][] t = {{100, 10}, {200, 20}, {300, 30}, {400, 40}};
    return new TrainingSet(AB, e, q, t);
  }

  static KnnPredictor store(TrainingSet data, int k) {
    return KnnTrainer.fixed(k).fit(data, x -> {});
  }

  static WeightedKnnPredictor weighted(KnnPredictor store, double tau, double a, double b) {
    int m = store.models().size();
    double[] qa = new double[m];
    double[] tb = new double[m];
    Arrays.fill(qa, a);
    Arrays.fill(tb, b);
    return new WeightedKnnPredictor(store, tau, WeightedKnnPredictor.Prior.GLOBAL, qa, tb, Map.of());
  }

  private static final float[] QUERY = {1, 0};

  @Test
  void handComputedWeightsAndPrior() {
    KnnPredictor s = store(tiny(), 3);
    double s1 = 0.8f; // the similarities as the index computes them from the stored floats
    double s2 = 0.6f;
    double w1 = Math.exp((s1 - 1) / 0.1);
    double w2 = Math.exp((s2 - 1) / 0.1);
    double sw = 1 + w1 + w2;

    Prediction local = weighted(s, 0.1, 0, 0).predict(QUERY);
    assertThat(local.quality()[0]).isCloseTo((1 + w2) / sw, offset(1e-12));
    assertThat(local.quality()[1]).isCloseTo((w1 + w2) / sw, offset(1e-12));
    assertThat(local.outputTokens()[0]).isCloseTo((100 + 200 * w1 + 300 * w2) / sw, offset(1e-9));
    assertThat(local.outputTokens()[1]).isCloseTo((10 + 20 * w1 + 30 * w2) / sw, offset(1e-9));

    // a = 2 pseudo-neighbours at the mean 0.5 for quality, b = 4 at the mean for tokens
    Prediction shrunk = weighted(s, 0.1, 2, 4).predict(QUERY);
    assertThat(shrunk.quality()[0]).isCloseTo((1 + w2 + 2 * 0.5) / (sw + 2), offset(1e-12));
    assertThat(shrunk.quality()[1]).isCloseTo((w1 + w2 + 2 * 0.5) / (sw + 2), offset(1e-12));
    assertThat(shrunk.outputTokens()[0]).isCloseTo((100 + 200 * w1 + 300 * w2 + 4 * 250) / (sw + 4), offset(1e-9));
    assertThat(shrunk.outputTokens()[1]).isCloseTo((10 + 20 * w1 + 30 * w2 + 4 * 25) / (sw + 4), offset(1e-9));

    // uniform weights over k = 3: the plain mean of the three nearest
    Prediction uniform = weighted(s, INF, 0, 0).predict(QUERY);
    assertThat(uniform.quality()).containsExactly(2.0 / 3, 2.0 / 3);
    assertThat(uniform.outputTokens()).containsExactly(200.0, 20.0);
  }

  @Test
  void handComputedDifficultyPrior() {
    // both models have mean 0.5 (theta = 0), so the prior of each is the neighbourhood's level:
    // sigmoid(-beta) = (sum_i w_i * mean_m y_im + 0.5) / (sum_i w_i + 1), one pseudo-neighbour at 0.5
    KnnPredictor s = store(tiny(), 3);
    double w1 = Math.exp((0.8f - 1) / 0.1);
    double w2 = Math.exp((0.6f - 1) / 0.1);
    double level = (1 * 0.5 + w1 * 0.5 + w2 * 1.0 + 0.5) / (1 + w1 + w2 + 1);
    WeightedKnnPredictor p = new WeightedKnnPredictor(s, 0.1, WeightedKnnPredictor.Prior.DIFFICULTY,
        new double[] {2, 2}, new double[] {0, 0}, Map.of());
    double sw = 1 + w1 + w2;
    Prediction pr = p.predict(QUERY);
    assertThat(pr.quality()[0]).isCloseTo((1 + w2 + 2 * level) / (sw + 2), offset(1e-12));
    assertThat(pr.quality()[1]).isCloseTo((w1 + w2 + 2 * level) / (sw + 2), offset(1e-12));

    // unequal abilities: the fitted difficulty balances the weighted expected and observed scores
    double[] theta = WeightedKnnPredictor.abilities(new double[] {0.9, 0.5, 0.2});
    double[] weight = {2.5, 2.5, 1.0}; // the third model has entries on fewer neighbours
    double score = 3.2;
    double[] prior = WeightedKnnPredictor.difficultyPrior(theta, weight, score);
    double expected = 0;
    for (int j = 0; j < 3; j++) {
      expected += (weight[j] + 1) * prior[j];
    }
    assertThat(expected).isCloseTo(score + 0.9 + 0.5 + 0.2, offset(1e-9));
    assertThat(prior[0]).isGreaterThan(prior[1]);
    assertThat(prior[1]).isGreaterThan(prior[2]); // the prior keeps the models' global order
    // with no neighbours at all the prior is the global means
    assertThat(WeightedKnnPredictor.difficultyPrior(theta, new double[3], 0)).containsExactly(new double[] {0.9, 0.5, 0.2}, offset(1e-9));
  }

  @Test
  void theTrainerPrefersTheDifficultyPriorWhenEveryModelFollowsTheSameLocalDifficulty() {
    // Rasch data: P(model j right on x) = sigmoid(theta_j - 3 * x0)
    Random r = new Random(17);
    double[] theta = {1.5, 0, -1.5};
    java.util.function.IntFunction<TrainingSet> rasch = n -> {
      float[][] e = TestVectors.randomUnit(r, n, 6);
      double[][] q = new double[n][3];
      double[][] t = new double[n][3];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < 3; j++) {
          q[i][j] = r.nextDouble() < WeightedKnnPredictor.sigmoid(theta[j] - 3 * e[i][0]) ? 1 : 0;
          t[i][j] = 100;
        }
      }
      return new TrainingSet(List.of("m0", "m1", "m2"), e, q, t);
    };
    WeightedKnnPredictor p = WeightedKnnTrainer.shrunk().fit(rasch.apply(1500), rasch.apply(600), x -> {});
    assertThat(p.prior()).isEqualTo(WeightedKnnPredictor.Prior.DIFFICULTY);
  }

  @Test
  void evidenceVariesPerPrompt() {
    // Same prior strength, same local estimate (1.0), two prompts: where the nearest neighbour
    // stands out (total weight ~1) the estimate keeps less of it than where both are alike (~2).
    float[][] e = {{1, 0}, {0.8f, 0.6f}, {0, 1}, {-1, 0}};
    double[][] q = {{1, 1}, {1, 1}, {0, 0}, {0, 0}};
    KnnPredictor s = store(new TrainingSet(AB, e, q, q), 2);
    WeightedKnnPredictor p = weighted(s, 0.05, 1, 0);
    double w = Math.exp((0.8f - 1) / 0.05);
    double lonely = p.predict(QUERY).quality()[0];
    assertThat(lonely).isCloseTo((1 + w + 0.5) / (1 + w + 1), offset(1e-12));
    float[] mid = {0.9486833f, 0.31622777f}; // as similar to row 0 as to row 1
    double crowded = p.predict(mid).quality()[0];
    assertThat(crowded).isCloseTo((2 + 0.5) / (2 + 1), offset(1e-3));
    assertThat(lonely).isLessThan(crowded);
  }

  @Test
  void limitsOfTauAndStrength() {
    Random r = new Random(3);
    for (TrainingSet data : List.of(random(r, 200, 3, 0), random(r, 200, 3, 0.3))) {
      KnnPredictor knn = store(data, 16);
      float[][] queries = TestVectors.randomUnit(new Random(11), 30, 6);
      double[] gq = knn.globalQuality();
      double[] gt = knn.globalTokens();
      // the batched search of predictAll gives exactly the one-at-a-time predictions
      Prediction[] all = weighted(knn, 0.05, 2, 1).predictAll(queries);
      for (int i = 0; i < queries.length; i++) {
        assertThat(all[i]).usingRecursiveComparison().isEqualTo(weighted(knn, 0.05, 2, 1).predict(queries[i]));
      }
      for (float[] x : queries) {
        // tau = inf is CARROT-KNN's uniform vote, exactly (dense and sparse)
        assertThat(weighted(knn, INF, 0, 0).predict(x)).usingRecursiveComparison().isEqualTo(knn.predict(x));
        // a huge tau is uniform up to rounding
        Prediction big = weighted(knn, 1e12, 0, 0).predict(x);
        Prediction plain = knn.predict(x);
        for (int j = 0; j < 3; j++) {
          assertThat(big.quality()[j]).isCloseTo(plain.quality()[j], offset(1e-9));
          assertThat(big.outputTokens()[j]).isCloseTo(plain.outputTokens()[j], offset(1e-6));
        }
        // a -> 0 is the weighted local estimate, a -> inf the global mean
        Prediction local = weighted(knn, 0.05, 0, 0).predict(x);
        Prediction tiny = weighted(knn, 0.05, 1e-12, 1e-12).predict(x);
        Prediction huge = weighted(knn, 0.05, 1e12, 1e12).predict(x);
        for (int j = 0; j < 3; j++) {
          assertThat(tiny.quality()[j]).isCloseTo(local.quality()[j], offset(1e-9));
          assertThat(tiny.outputTokens()[j]).isCloseTo(local.outputTokens()[j], offset(1e-6));
          assertThat(huge.quality()[j]).isCloseTo(gq[j], offset(1e-9));
          assertThat(huge.outputTokens()[j]).isCloseTo(gt[j], offset(1e-6));
        }
      }
    }
  }

  @Test
  void sparseEntriesUseEachModelsOwnNeighboursWeightedAgainstTheTopOne() {
    // model b has no entry on rows 0 and 2: its k = 2 labelled neighbours are rows 1 and 3 (the
    // sparse search covers all four rows)
    float[][] e = {{1, 0}, {0.8f, 0.6f}, {0.6f, 0.8f}, {0, 1}};
    double nan = Double.NaN;
    double[][] q = {{1, nan}, {0, 1}, {1, nan}, {0, 0}};
    double[][] t = {{100, nan}, {200, 20}, {300, nan}, {400, 40}};
    KnnPredictor s = store(new TrainingSet(AB, e, q, t), 2);
    double w1 = Math.exp((0.8f - 1) / 0.1);
    double w3 = Math.exp((0.0 - 1) / 0.1);
    Prediction p = weighted(s, 0.1, 1, 0).predict(QUERY);
    // a: rows 0 and 1; prior mean of a over its 4 entries = 0.5
    assertThat(p.quality()[0]).isCloseTo((1 + 0 * w1 + 0.5) / (1 + w1 + 1), offset(1e-12));
    // b: rows 1 and 3, weighted against row 0's similarity; prior mean of b over its 2 entries = 0.5
    assertThat(p.quality()[1]).isCloseTo((w1 * 1 + w3 * 0 + 0.5) / (w1 + w3 + 1), offset(1e-12));
    assertThat(p.outputTokens()[1]).isCloseTo((20 * w1 + 40 * w3) / (w1 + w3), offset(1e-9));

    // a model without a labelled prompt among the searched neighbours gets its prior
    int n = 40;
    float[][] far = new float[n][];
    double[][] q2 = new double[n][2];
    double[][] t2 = new double[n][2];
    for (int i = 0; i < n; i++) {
      double angle = (i < 20 ? 0 : Math.PI) + 0.01 * (i % 20);
      far[i] = new float[] {(float) Math.cos(angle), (float) Math.sin(angle)};
      q2[i][0] = i % 2;
      t2[i][0] = 10;
      q2[i][1] = i < 20 ? nan : (i % 4 == 0 ? 1 : 0); // b only on the far side, mean 0.25
      t2[i][1] = i < 20 ? nan : 30;
    }
    KnnPredictor one = store(new TrainingSet(AB, far, q2, t2), 1);
    assertThat(one.searchWidth()).isEqualTo(4);
    Prediction none = weighted(one, 0.1, 0, 0).predict(QUERY);
    assertThat(none.quality()[0]).isEqualTo(0.0); // row 0
    assertThat(none.quality()[1]).isEqualTo(0.25);
    assertThat(none.outputTokens()[1]).isEqualTo(30.0);
  }

  @Test
  void theTrainerChoosesAStrongPriorForNoiseAndAWeakOneForALocalSignal() {
    Random r = new Random(42);
    // pure noise: each model's quality is a coin with its own bias, whatever the prompt
    WeightedKnnPredictor noise = WeightedKnnTrainer.shrunk().fit(noise(r, 800), noise(r, 400), x -> {});
    assertThat(Arrays.stream(noise.qualityStrength()).boxed().toList()).allSatisfy(a -> assertThat(a).isGreaterThanOrEqualTo(64));
    // a strong local signal: quality is 1 on one side of a hyperplane, 0 on the other
    WeightedKnnPredictor signal = WeightedKnnTrainer.shrunk().fit(halves(r, 800), halves(r, 400), x -> {});
    assertThat(Arrays.stream(signal.qualityStrength()).boxed().toList()).allSatisfy(a -> assertThat(a).isLessThanOrEqualTo(1));
    // and it predicts the halves
    assertThat(signal.predict(new float[] {1, 0, 0, 0, 0, 0}).quality()[0]).isGreaterThan(0.9);
    assertThat(signal.predict(new float[] {-1, 0, 0, 0, 0, 0}).quality()[0]).isLessThan(0.1);
  }

  @Test
  void theTrainersChoiceMinimizesTheValidationErrorOfItsPredictions() {
    // differential: the trainer's one-search grid sums against brute force with the predictor
    Random r = new Random(5);
    TrainingSet train = random(r, 300, 3, 0.2);
    TrainingSet val = random(r, 120, 3, 0.2);
    int[] ks = {4, 8, 32};
    double[] taus = {0.02, 0.1, INF};
    WeightedKnnPredictor fitted = WeightedKnnTrainer.shrunk().withGrids(ks, taus, new double[] {3}).fit(train, val, x -> {});
    double best = Double.POSITIVE_INFINITY;
    int bestK = 0;
    double bestTau = 0;
    WeightedKnnPredictor.Prior bestPrior = null;
    for (WeightedKnnPredictor.Prior prior : WeightedKnnPredictor.Prior.values()) {
      for (int k : ks) {
        for (double tau : taus) {
          WeightedKnnPredictor p = new WeightedKnnPredictor(store(train, k), tau, prior, new double[] {3, 3, 3}, new double[] {3, 3, 3}, Map.of());
          double e = 0;
          for (int i = 0; i < val.size(); i++) {
            Prediction pr = p.predict(val.embeddings()[i]);
            for (int j = 0; j < 3; j++) {
              if (val.observed(i, j)) {
                e += Math.pow(pr.quality()[j] - val.quality()[i][j], 2);
              }
            }
          }
          if (e < best - 1e-12) {
            best = e;
            bestK = k;
            bestTau = tau;
            bestPrior = prior;
          }
        }
      }
    }
    assertThat(fitted.prior()).isEqualTo(bestPrior);
    assertThat(fitted.store().k()).isEqualTo(bestK);
    assertThat(fitted.tau()).isEqualTo(bestTau);
    assertThat(fitted.qualityStrength()).containsExactly(3, 3, 3);
  }

  @Test
  void weightedTrainerKeepsNoPriorAndNeedsValidation() {
    Random r = new Random(8);
    WeightedKnnPredictor w = WeightedKnnTrainer.weighted().fit(random(r, 200, 3, 0), random(r, 60, 3, 0), x -> {});
    assertThat(w.qualityStrength()).containsOnly(0.0);
    assertThat(w.tokenStrength()).containsOnly(0.0);
    assertThatThrownBy(() -> WeightedKnnTrainer.weighted().fit(random(r, 50, 3, 0), null, x -> {}))
        .isInstanceOf(CarrotException.class)
        .hasMessageContaining("validation split");
  }

  @Test
  void roundTripsThroughTheRouterFileWithIdenticalPredictions() {
    Random r = new Random(21);
    TrainingSet train = random(r, 300, 3, 0.2); // sparse: every model misses some prompts
    TrainingSet val = random(r, 100, 3, 0.2);
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    prices.put("m0", new ModelPrice(1, 10, ""));
    prices.put("m1", new ModelPrice(0.5, 2, ""));
    prices.put("m2", new ModelPrice(0.1, 1, ""));
    float[][] queries = TestVectors.randomUnit(new Random(9), 20, 6);
    for (WeightedKnnPredictor p : List.of(
        WeightedKnnTrainer.weighted().fit(train, val, x -> {}),
        WeightedKnnTrainer.shrunk().fit(train, val, x -> {}),
        weighted(store(train, 8), INF, 2, 5))) {
      Router router = new Router(p, new PriceTable(prices), 100, new Provenance("t", "", 300, "e", "c", 42, "v", "t", Map.of()));
      Path f = tmp.resolve("w.carrot");
      RouterFile.save(router, f);
      Predictor back = RouterFile.load(f).predictor();
      assertThat(back.kind()).isEqualTo(WeightedKnnPredictor.KIND);
      assertThat(back.hyperParameters()).isEqualTo(p.hyperParameters());
      for (float[] q : queries) {
        assertThat(back.predict(q)).usingRecursiveComparison().isEqualTo(p.predict(q));
      }
      // the store's vectors may be stored compactly like plain KNN's
      Path f16 = tmp.resolve("w16.carrot");
      RouterFile.save(router, f16, VectorEncoding.F16);
      Predictor half = RouterFile.load(f16).predictor();
      for (float[] q : queries) {
        double[] a = half.predict(q).quality();
        double[] b = p.predict(q).quality();
        for (int j = 0; j < 3; j++) {
          assertThat(a[j]).isCloseTo(b[j], offset(0.05));
        }
      }
    }
  }

  /** Quality with a smooth dependence on the embedding plus noise; {@code missing} share NaN per model. */
  static TrainingSet random(Random r, int n, int m, double missing) {
    float[][] e = TestVectors.randomUnit(r, n, 6);
    double[][] q = new double[n][m];
    double[][] t = new double[n][m];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        boolean has = i < 2 || r.nextDouble() >= missing; // the first rows keep every model observed
        q[i][j] = has ? Math.min(1, Math.max(0, 0.5 + 0.4 * e[i][j] + 0.2 * r.nextGaussian())) : Double.NaN;
        t[i][j] = has ? 100 + 50 * j + 80 * e[i][(j + 1) % 6] + 10 * r.nextGaussian() : Double.NaN;
      }
    }
    List<String> names = new java.util.ArrayList<>();
    for (int j = 0; j < m; j++) {
      names.add("m" + j);
    }
    return new TrainingSet(names, e, q, t);
  }

  static TrainingSet noise(Random r, int n) {
    float[][] e = TestVectors.randomUnit(r, n, 6);
    double[][] q = new double[n][2];
    double[][] t = new double[n][2];
    for (int i = 0; i < n; i++) {
      q[i][0] = r.nextDouble() < 0.7 ? 1 : 0;
      q[i][1] = r.nextDouble() < 0.4 ? 1 : 0;
      t[i][0] = 100 + 20 * r.nextGaussian();
      t[i][1] = 50 + 20 * r.nextGaussian();
    }
    return new TrainingSet(AB, e, q, t);
  }

  static TrainingSet halves(Random r, int n) {
    float[][] e = TestVectors.randomUnit(r, n, 6);
    double[][] q = new double[n][2];
    double[][] t = new double[n][2];
    for (int i = 0; i < n; i++) {
      q[i][0] = e[i][0] > 0 ? 1 : 0;
      q[i][1] = e[i][0] > 0 ? 0 : 1;
      t[i][0] = 100;
      t[i][1] = 50;
    }
    return new TrainingSet(AB, e, q, t);
  }

}
