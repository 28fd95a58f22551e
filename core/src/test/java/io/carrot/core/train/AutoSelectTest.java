package io.carrot.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carrot.core.CarrotException;
import io.carrot.core.ProgressListener;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AutoSelectTest {
  private static final List<ModelPrice> PRICES = List.of(new ModelPrice(1, 4, ""), new ModelPrice(10, 40, ""));

  /** {@link SharedFitsTest#data} with costs. */
  static TrainingSet priced(Random r, int n) {
    return withCosts(SharedFitsTest.data(r, n));
  }

  /** {@code t} (two models) with costs: 100 input tokens per prompt at the prices above. */
  static TrainingSet withCosts(TrainingSet t) {
    int n = t.size();
    double[][] in = new double[n][2];
    double[][] cost = new double[n][2];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 2; j++) {
        in[i][j] = 100;
        cost[i][j] = PRICES.get(j).cost(100, t.outputTokens()[i][j]);
      }
    }
    return new TrainingSet(t.models(), t.embeddings(), t.quality(), t.outputTokens(), new TrainingSet.Costs(PRICES, in, cost));
  }

  @Test
  void autoIsARegisteredEstimatorReturningTheBestTrialsPredictor() {
    assertThat(Estimators.names()).contains(AutoSelect.NAME).containsAll(AutoSelect.CANDIDATES);
    assertThat(Estimators.get(AutoSelect.NAME)).isInstanceOf(AutoSelect.class);
    Random r = new Random(2);
    TrainingSet train = priced(r, 160);
    TrainingSet val = priced(r, 60);
    Map<String, String> s = Map.of("k", "auto");
    AutoSelect.Selection sel = AutoSelect.select(train, val, s, ProgressListener.NONE);
    assertThat(sel.trials()).extracting(AutoSelect.Trial::estimator).containsExactlyElementsOf(AutoSelect.CANDIDATES);
    double bestAiq = sel.trials().stream().mapToDouble(AutoSelect.Trial::validationAiq).max().orElseThrow();
    assertThat(sel.best().validationAiq()).isEqualTo(bestAiq);
    // ties keep the earlier candidate
    assertThat(sel.trials().stream().filter(t -> t.validationAiq() == bestAiq).findFirst().orElseThrow()).isSameAs(sel.best());
    // model a's quality is the sign of the first coordinate, b's a coin: every router learns to pick
    // a where it is right, which puts every candidate well above the random mix (AIQ 0.5)
    assertThat(sel.trials()).allSatisfy(t -> assertThat(t.validationAiq()).isGreaterThan(0.6));
    Predictor viaRegistry = Estimators.get(AutoSelect.NAME).fit(train, val, s, ProgressListener.NONE);
    assertThat(viaRegistry.kind()).isEqualTo(sel.best().predictor().kind());
    for (float[] x : val.embeddings()) {
      assertThat(viaRegistry.predict(x).quality()).containsExactly(sel.best().predictor().predict(x).quality());
    }
  }

  /**
   * From {@value AutoSelect#MIN_CROSS_FIT} validation prompts each candidate is tuned on one seeded
   * half and scored on the other: {@code knn} tunes nothing on validation, so its score is exactly
   * the mean of the same predictor's AIQ on the two halves.
   */
  @Test
  void aLargeValidationSplitScoresCandidatesByCrossFitting() {
    Random r = new Random(4);
    TrainingSet train = priced(r, 200);
    TrainingSet val = priced(r, 120);
    Map<String, String> s = Map.of("k", "auto");
    AutoSelect.Selection sel = AutoSelect.select(train, val, s, ProgressListener.NONE);
    assertThat(sel.crossFitted()).isTrue();
    assertThat(sel.trials()).extracting(AutoSelect.Trial::estimator).containsExactlyElementsOf(AutoSelect.CANDIDATES);
    double bestAiq = sel.trials().stream().mapToDouble(AutoSelect.Trial::validationAiq).max().orElseThrow();
    assertThat(sel.best().validationAiq()).isEqualTo(bestAiq);
    // only the winner and the knn reference are fitted again on the whole split
    assertThat(sel.trials()).filteredOn(t -> t.predictor() != null).extracting(AutoSelect.Trial::estimator)
        .containsExactlyInAnyOrderElementsOf(new java.util.LinkedHashSet<>(List.of("knn", sel.best().estimator())));
    TrainingSet[] halves = AutoSelect.halves(val);
    assertThat(halves[0].size() + halves[1].size()).isEqualTo(120);
    Predictor knn = Estimators.get("knn").fit(train, null, s, ProgressListener.NONE);
    double expected = (aiq(knn, halves[0], train) + aiq(knn, halves[1], train)) / 2;
    assertThat(sel.trials().get(0).validationAiq()).isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-12));
    // seeded: the same selection again
    AutoSelect.Selection again = AutoSelect.select(train, val, s, ProgressListener.NONE);
    assertThat(again.trials()).extracting(AutoSelect.Trial::validationAiq)
        .containsExactlyElementsOf(sel.trials().stream().map(AutoSelect.Trial::validationAiq).toList());
    // below the threshold: in-sample, every candidate keeps its predictor
    AutoSelect.Selection small = AutoSelect.select(train, AutoSelect.rows(val, java.util.stream.IntStream.range(0, 99).toArray()), s,
        ProgressListener.NONE);
    assertThat(small.crossFitted()).isFalse();
    assertThat(small.trials()).allSatisfy(t -> assertThat(t.predictor()).isNotNull());
  }

  /** The router's AIQ on {@code set} (every prompt complete), as auto scores it. */
  private static double aiq(Predictor p, TrainingSet set, TrainingSet train) {
    io.carrot.core.curve.EvalSet es = io.carrot.core.curve.EvalSet.completeOf(set, "test");
    java.util.Map<String, ModelPrice> prices = new java.util.LinkedHashMap<>();
    for (int j = 0; j < PRICES.size(); j++) {
      prices.put(train.models().get(j), PRICES.get(j));
    }
    io.carrot.core.curve.RouterSweep sweep = new io.carrot.core.curve.RouterSweep(es, p.models(), new io.carrot.core.data.PriceTable(prices),
        io.carrot.core.route.Router.costScaleFor(train.costs().trueCost()), p.predictAll(io.carrot.core.curve.EvalSet.completeEmbeddings(set)));
    List<io.carrot.core.metrics.Point> singles = new java.util.ArrayList<>();
    for (int m = 0; m < es.modelCount(); m++) {
      singles.add(new io.carrot.core.metrics.Point(Double.NaN, es.meanCost(m), es.meanQuality(m)));
    }
    return io.carrot.core.metrics.MetricFormulas.aiq(io.carrot.core.metrics.Frontier.of(sweep.frontier(200)),
        io.carrot.core.metrics.Anchors.of(singles));
  }

  @Test
  void withoutValidationOrCostsTheErrorSaysWhatIsMissing() {
    Random r = new Random(3);
    TrainingSet train = priced(r, 40);
    Estimator auto = Estimators.get(AutoSelect.NAME);
    assertThatThrownBy(() -> auto.fit(train, null, Map.of(), ProgressListener.NONE))
        .isInstanceOf(CarrotException.class)
        .hasMessage("--estimator auto compares estimators on the validation split, which is empty");
    TrainingSet unpriced = SharedFitsTest.data(r, 30);
    assertThatThrownBy(() -> auto.fit(unpriced, priced(r, 30), Map.of(), ProgressListener.NONE))
        .isInstanceOf(CarrotException.class)
        .hasMessageContaining("--estimator auto needs the prompts' prices and costs");
    assertThatThrownBy(() -> auto.fit(train, unpriced, Map.of(), ProgressListener.NONE))
        .isInstanceOf(CarrotException.class)
        .hasMessageContaining("--estimator auto needs the prompts' prices and costs");
  }
}
