package io.carrot.core.predict.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import io.carrot.core.ProgressListener;
import io.carrot.core.TestVectors;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.io.RouterFile;
import io.carrot.core.linalg.AdamW;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.route.Provenance;
import io.carrot.core.route.Router;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MlpTest {
  @TempDir Path tmp;

  /**
   * Model "a" is right (0.9) where x0 and x1 have the same sign and wrong (0.1) elsewhere: no
   * linear function of x separates that; "b" is linear, 0.5 + 0.4 x0. Tokens of a are 50 or 400 by
   * the same rule, b's are 100 + 80 x2.
   */
  static TrainingSet xorData(Random r, int n) {
    float[][] e = TestVectors.randomUnit(r, n, 4);
    double[][] q = new double[n][2];
    double[][] t = new double[n][2];
    for (int i = 0; i < n; i++) {
      boolean same = e[i][0] * e[i][1] > 0;
      q[i][0] = same ? 0.9 : 0.1;
      q[i][1] = 0.5 + 0.4 * e[i][0];
      t[i][0] = same ? 400 : 50;
      t[i][1] = 100 + 80 * e[i][2];
    }
    return new TrainingSet(List.of("a", "b"), e, q, t);
  }

  /** A smaller grid than the default, for speed. */
  static MlpTrainer small() {
    return MlpTrainer.defaults().withGrid(List.of(16, 64), List.of(1e-3, 0.1)).withEpochs(150, 8);
  }

  static double meanAbsError(Predictor p, TrainingSet s, int model, boolean tokens) {
    double err = 0;
    for (int i = 0; i < s.size(); i++) {
      Prediction pr = p.predict(s.embeddings()[i]);
      double y = tokens ? pr.outputTokens()[model] : pr.quality()[model];
      err += Math.abs(y - (tokens ? s.outputTokens()[i][model] : s.quality()[i][model]));
    }
    return err / s.size();
  }

  @Test
  void oneAndTwoAdamWStepsByHand() {
    float[][] w = {{1, -2}, {0.5f, 0}};
    AdamW adam = new AdamW(w);
    // step 1: mhat = g, vhat = g^2, so each weight moves lr * g / (|g| + eps) after decay
    adam.step(w, new float[][] {{0.1f, -0.2f}, {0, 1}}, 1, 0.01, 0.5);
    assertThat(w[0][0]).isCloseTo((float) (1 * 0.995 - 0.01), offset(1e-6f));
    assertThat(w[0][1]).isCloseTo((float) (-2 * 0.995 + 0.01), offset(1e-6f));
    assertThat(w[1][0]).isEqualTo((float) (0.5 * 0.995)); // no gradient: decay only
    assertThat(w[1][1]).isCloseTo(-0.01f, offset(1e-6f));
    // step 2 on w[1][1] with g = -1: m = 0.9 * 0.1 - 0.1 = -0.01, mhat = -0.01 / (1 - 0.81);
    // v = 0.999 * 0.001 + 0.001 = 0.001999, vhat = 0.001999 / (1 - 0.998001) = 1
    adam.step(w, new float[][] {{0, 0}, {0, -1}}, 2, 0.01, 0.5);
    double expected = -0.01 * 0.995 - 0.01 * (-0.01 / 0.19) / (1 + 1e-8);
    assertThat(w[1][1]).isCloseTo((float) expected, offset(1e-6f));
  }

  @Test
  void crossEntropyAndSigmoidByHand() {
    assertThat(NetworkTraining.crossEntropy(0, 1)).isCloseTo(Math.log(2), offset(1e-15));
    // z = ln 3: p = 0.75; score 0.5 -> -(0.5 ln 0.75 + 0.5 ln 0.25)
    assertThat(NetworkTraining.crossEntropy(Math.log(3), 0.5)).isCloseTo(-(0.5 * Math.log(0.75) + 0.5 * Math.log(0.25)), offset(1e-12));
    assertThat(NetworkTraining.crossEntropy(-800, 0)).isEqualTo(0.0);
    assertThat(NetworkTraining.sigmoid(Math.log(3))).isCloseTo(0.75, offset(1e-15));
    assertThat(NetworkTraining.sigmoid(-800)).isEqualTo(0.0);
  }

  @Test
  void aForwardPassByHand() {
    // 2 inputs -> 2 ReLU units -> 1 output: h = relu([1, -1] . W1 + b1), z = h . w2 + b2
    MlpNetwork n = new MlpNetwork(2, 2, 1, new float[] {1, 2, 3, -4}, new float[] {0.5f, 0}, new float[] {2, 10}, new float[] {-1});
    float[] h = new float[2];
    float[] z = new float[1];
    n.forward(new float[] {1, -1}, h, z);
    // unit 0: 1*1 + (-1)*3 + 0.5 = -1.5 -> 0; unit 1: 1*2 + (-1)*(-4) = 6
    assertThat(h).containsExactly(0f, 6f);
    assertThat(z[0]).isEqualTo(59f);
    assertThat(n.outputs(0, 1).outputs()).isEqualTo(1);
  }

  @Test
  void recoversANonlinearTargetThatLinearCannot() {
    Random r = new Random(42);
    TrainingSet train = xorData(r, 3000);
    TrainingSet val = xorData(r, 500);
    TrainingSet test = xorData(r, 500);
    MlpPredictor mlp = small().fit(train, val, ProgressListener.NONE);
    LinearPredictor lin = LinearPredictor.fit(train, val);
    // a's quality is 0.9 or 0.1: a linear model is stuck near 0.5 (error about 0.4)
    assertThat(meanAbsError(lin, test, 0, false)).isGreaterThan(0.35);
    assertThat(meanAbsError(mlp, test, 0, false)).isLessThan(0.08);
    assertThat(meanAbsError(mlp, test, 1, false)).isLessThan(0.03);
    assertThat(meanAbsError(lin, test, 0, true)).isGreaterThan(150.0);
    assertThat(meanAbsError(mlp, test, 0, true)).isLessThan(60.0);
    assertThat(mlp.hyperParameters()).containsKeys("hidden", "weight_decay", "best_epoch", "trials", "seed");
  }

  @Test
  void twoFitsAreBitIdentical() {
    Random r = new Random(5);
    TrainingSet train = xorData(r, 800);
    TrainingSet val = xorData(r, 200);
    MlpPredictor a = small().fit(train, val, ProgressListener.NONE);
    MlpPredictor b = small().fit(train, val, ProgressListener.NONE);
    List<MlpNetwork> netsA = new java.util.ArrayList<>(MlpPredictor.Access.qualityNets(a));
    netsA.addAll(MlpPredictor.Access.tokenNets(a));
    List<MlpNetwork> netsB = new java.util.ArrayList<>(MlpPredictor.Access.qualityNets(b));
    netsB.addAll(MlpPredictor.Access.tokenNets(b));
    assertThat(netsB).hasSameSizeAs(netsA);
    for (int i = 0; i < netsA.size(); i++) {
      MlpNetwork[] n = {netsA.get(i), netsB.get(i)};
      assertThat(MlpNetwork.Access.w1(n[1])).isEqualTo(MlpNetwork.Access.w1(n[0]));
      assertThat(MlpNetwork.Access.b1(n[1])).isEqualTo(MlpNetwork.Access.b1(n[0]));
      assertThat(MlpNetwork.Access.w2(n[1])).isEqualTo(MlpNetwork.Access.w2(n[0]));
      assertThat(MlpNetwork.Access.b2(n[1])).isEqualTo(MlpNetwork.Access.b2(n[0]));
    }
    assertThat(b.fit()).isEqualTo(a.fit());
    assertThat(MlpPredictor.Access.tokenFactor(b)).isEqualTo(MlpPredictor.Access.tokenFactor(a));
    // another seed is another network
    MlpPredictor c = small().withSeed(7).fit(train, val, ProgressListener.NONE);
    assertThat(MlpNetwork.Access.w1(MlpPredictor.Access.qualityNets(c).get(0)))
        .isNotEqualTo(MlpNetwork.Access.w1(MlpPredictor.Access.qualityNets(a).get(0)));
  }

  @Test
  void earlyStoppingKeepsTheBestEpochsWeights() {
    // few noisy prompts and many units: validation loss turns up after a few epochs
    Random r = new Random(9);
    TrainingSet clean = xorData(r, 150);
    double[][] q = new double[150][2];
    double[][] tok = new double[150][2];
    for (int i = 0; i < 150; i++) {
      for (int j = 0; j < 2; j++) {
        q[i][j] = r.nextDouble() < clean.quality()[i][j] ? 1 : 0;
        tok[i][j] = Math.round(clean.outputTokens()[i][j] * Math.exp(0.7 * r.nextGaussian()));
      }
    }
    TrainingSet train = new TrainingSet(clean.models(), clean.embeddings(), q, tok);
    TrainingSet val = xorData(r, 300);
    MlpTrainer t = MlpTrainer.defaults().withGrid(List.of(64), List.of(0.0, 0.01)).withEpochs(300, 15);
    MlpTrainer.Result res = t.fitWithRuns(train, val, ProgressListener.NONE);
    NetworkTraining.Data va = res.validation();
    for (NetworkTraining.Run run : res.runs()) {
      double min = Double.POSITIVE_INFINITY;
      for (double v : run.qualityHistory()) {
        min = Math.min(min, v);
      }
      assertThat(run.qualityLoss()).isEqualTo(min);
      assertThat(run.qualityHistory()[run.qualityEpoch() - 1]).isEqualTo(min);
      // it stopped early: patience epochs went by without a better quality or token loss, and the
      // last quality loss was worse
      assertThat(run.epochs()).isEqualTo(Math.max(run.qualityEpoch(), run.tokenEpoch()) + 15).isLessThan(300);
      assertThat(run.qualityHistory()[run.epochs() - 1]).isGreaterThan(min);
      // the returned weights are that epoch's: recomputing their loss gives the recorded minimum
      assertThat(NetworkTraining.evaluate(run.qualityNet(), va).quality()).isEqualTo(min);
      double tokenMin = Double.POSITIVE_INFINITY;
      for (double v : run.tokenHistory()) {
        tokenMin = Math.min(tokenMin, v);
      }
      assertThat(NetworkTraining.evaluate(run.tokenNet(), va).tokens()).isEqualTo(tokenMin).isEqualTo(run.tokenLoss());
    }
    // the predictor's quality networks are the candidate (one run's best epoch, or all averaged)
    // with the lowest validation loss, as the predictor computes it
    MlpPredictor.Fit fit = res.predictor().fit();
    List<MlpNetwork> chosen = MlpPredictor.Access.qualityNets(res.predictor());
    assertThat(MlpTrainer.qualityLoss(chosen, va)).isEqualTo(fit.qualityLoss());
    int m = train.models().size();
    List<MlpNetwork> all = new java.util.ArrayList<>();
    for (NetworkTraining.Run run : res.runs()) {
      MlpNetwork one = run.qualityNet().outputs(0, m);
      all.add(one);
      assertThat(fit.qualityLoss()).isLessThanOrEqualTo(MlpTrainer.qualityLoss(List.of(one), va));
    }
    assertThat(fit.qualityLoss()).isLessThanOrEqualTo(MlpTrainer.qualityLoss(all, va));
    if (fit.qualityTrials().size() == 1) {
      NetworkTraining.Data qualityOnly = new NetworkTraining.Data(va.x(), va.quality(), new double[va.size()][0]);
      assertThat(NetworkTraining.evaluate(chosen.get(0), qualityOnly).quality())
          .isEqualTo(res.runs().get(fit.qualityTrials().get(0)).qualityLoss());
    }
  }

  @Test
  void learnsEachModelFromItsOwnEntries() {
    Random r = new Random(11);
    TrainingSet dense = xorData(r, 600);
    TrainingSet val = xorData(r, 200);
    // b keeps 20 of 600 training entries (and 10 validation entries), with a constant score 0.3 and 70 tokens
    double[][] q = new double[600][];
    double[][] t = new double[600][];
    for (int i = 0; i < 600; i++) {
      q[i] = dense.quality()[i].clone();
      t[i] = dense.outputTokens()[i].clone();
      boolean keep = i % 30 == 0;
      q[i][1] = keep ? 0.3 : Double.NaN;
      t[i][1] = keep ? 70 : Double.NaN;
    }
    double[][] vq = new double[200][];
    double[][] vt = new double[200][];
    for (int i = 0; i < 200; i++) {
      vq[i] = val.quality()[i].clone();
      vt[i] = val.outputTokens()[i].clone();
      vq[i][1] = i % 20 == 0 ? 0.3 : Double.NaN;
      vt[i][1] = i % 20 == 0 ? 70 : Double.NaN;
    }
    TrainingSet sparse = new TrainingSet(dense.models(), dense.embeddings(), q, t);
    TrainingSet sparseVal = new TrainingSet(val.models(), val.embeddings(), vq, vt);
    MlpPredictor p = small().fit(sparse, sparseVal, ProgressListener.NONE);
    List<MlpNetwork> nets = new java.util.ArrayList<>(MlpPredictor.Access.qualityNets(p));
    nets.addAll(MlpPredictor.Access.tokenNets(p));
    for (MlpNetwork n : nets) {
      for (float v : MlpNetwork.Access.w1(n)) {
        assertThat(v).isFinite();
      }
      for (float v : MlpNetwork.Access.w2(n)) {
        assertThat(v).isFinite();
      }
    }
    for (float[] x : TestVectors.randomUnit(new Random(3), 20, 4)) {
      Prediction pr = p.predict(x);
      assertThat(pr.quality()[1]).isCloseTo(0.3, offset(0.06));
      assertThat(pr.outputTokens()[1]).isCloseTo(70, offset(7.0));
    }
    // a, fully observed, is still learnt
    assertThat(meanAbsError(p, xorData(new Random(4), 300), 0, false)).isLessThan(0.15);
  }

  @Test
  void roundTripsThroughTheRouterFileWithIdenticalPredictions() throws Exception {
    Random r = new Random(13);
    MlpPredictor p = small().fit(xorData(r, 500), xorData(r, 150), ProgressListener.NONE);
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    prices.put("a", new ModelPrice(1, 10, ""));
    prices.put("b", new ModelPrice(0.1, 1, ""));
    Router router = new Router(p, new PriceTable(prices), 100, new Provenance("t", "", 500, "e", "c", 42, "v", "t", Map.of()));
    Path f = tmp.resolve("mlp.carrot");
    RouterFile.save(router, f);
    Predictor back = RouterFile.load(f).predictor();
    assertThat(back).isInstanceOf(MlpPredictor.class);
    for (float[] x : TestVectors.randomUnit(new Random(1), 30, 4)) {
      Prediction a = p.predict(x);
      Prediction b = back.predict(x);
      assertThat(b.quality()).isEqualTo(a.quality());
      assertThat(b.outputTokens()).isEqualTo(a.outputTokens());
    }
    assertThat(back.hyperParameters()).isEqualTo(p.hyperParameters());
    Path again = tmp.resolve("again.carrot");
    RouterFile.save(RouterFile.load(f), again);
    assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(f));
  }

  @Test
  void badSettingsAndMissingValidationAreNamed() {
    assertThatThrownBy(() -> MlpTrainer.defaults().withGrid(List.of(0), List.of(0.1)))
        .hasMessageContaining("hidden sizes").hasMessageContaining("[0]");
    TrainingSet train = xorData(new Random(1), 50);
    assertThatThrownBy(() -> small().fit(train, null, ProgressListener.NONE)).hasMessageContaining("validation split");
  }
}
