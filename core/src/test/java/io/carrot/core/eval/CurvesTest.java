package io.carrot.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.carrot.core.curve.Baselines;
import io.carrot.core.curve.ChoiceCurve;
import io.carrot.core.curve.EvalSet;
import io.carrot.core.curve.OracleCurve;
import io.carrot.core.curve.RandomMixCurve;
import io.carrot.core.curve.RouterCurve;
import io.carrot.core.curve.SingleModels;
import io.carrot.core.curve.ZeroRouterCurve;
import io.carrot.core.metrics.Frontier;
import io.carrot.core.metrics.Point;
import io.carrot.core.route.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CurvesTest {
  // 2 prompts x 3 models, costs 1, 2, 4 on both; prompt 1: models 1 and 2 right; prompt 2: only model 2
  static final EvalSet TWO =
      new EvalSet(
          List.of("a", "b", "c"),
          List.of("p1", "p2"),
          new double[][] {{0, 1, 1}, {0, 0, 1}},
          new double[][] {{1, 2, 4}, {1, 2, 4}},
          new double[][] {{0, 0, 0}, {0, 0, 0}},
          new double[][] {{0, 0, 0}, {0, 0, 0}});

  @Test
  void oracleFrontierByHand() {
    // start: both on a (cost 1, quality 0); p1's upgrade a->b gains 1 per $1, p2's a->c 1 per $3
    List<Point> pts = new OracleCurve(TWO).points();
    assertThat(pts).extracting(Point::cost).containsExactly(1.0, 1.5, 3.0);
    assertThat(pts).extracting(Point::quality).containsExactly(0.0, 0.5, 1.0);
    Point top = Baselines.oracle(TWO);
    assertThat(pts.get(2).cost()).isEqualTo(top.cost());
    assertThat(pts.get(2).quality()).isEqualTo(top.quality());
    // p1 counted twice, p2 not at all: (1, 0) then (2, 1)
    List<Point> w = new OracleCurve(TWO).points(new int[] {2, 0});
    assertThat(w.get(0)).isEqualTo(new Point(Double.NaN, 1, 0));
    assertThat(w.get(w.size() - 1)).isEqualTo(new Point(Double.NaN, 2, 1));
  }

  @Test
  void zeroRouterAndRandomMixByHand() {
    // singles: a (1, 0), b (2, .5), c (4, 1): b is above the chord a-c (.333 at cost 2), a vertex
    assertThat(new ZeroRouterCurve(TWO).points()).extracting(Point::param).containsExactly(0.0, 1.0, 2.0);
    // with p2 counted 3 times b is (2, .25), under the chord (2, .25): no longer a vertex
    assertThat(new ZeroRouterCurve(TWO).points(new int[] {1, 3})).extracting(Point::param).containsExactly(0.0, 2.0);
    List<Point> mix = new RandomMixCurve(TWO, 0, 2, 4).points();
    assertThat(mix).hasSize(5);
    assertThat(mix.get(1)).isEqualTo(new Point(0.25, 1.75, 0.25));
  }

  @Test
  void choiceCurveMatchesBruteForceUnderResampling() {
    Random r = new Random(42);
    EvalSet set = randomSet(r, 40, 5);
    double[] params = EvaluationHarness.grid(50);
    double[][] predQ = new double[40][5];
    double[][] predC = new double[40][5];
    for (int i = 0; i < 40; i++) {
      for (int j = 0; j < 5; j++) {
        predQ[i][j] = r.nextDouble();
        predC[i][j] = set.cost()[i][j] * (0.5 + r.nextDouble());
      }
    }
    List<int[]> brute = new ArrayList<>();
    for (double mu : params) {
      int[] ch = new int[40];
      for (int i = 0; i < 40; i++) {
        ch[i] = Router.argmax(mu, predQ[i], predC[i], 10, set.models(), null);
      }
      brute.add(ch);
    }
    ChoiceCurve cc = ChoiceCurve.of(set, "mu", params, brute::get);
    for (int trial = 0; trial < 5; trial++) {
      int[] w = new int[40];
      for (int k = 0; k < 40; k++) {
        w[r.nextInt(40)]++;
      }
      List<Point> pts = cc.points(w);
      for (int p = 0; p < params.length; p++) {
        assertThat(cc.choicesAt(p)).containsExactly(brute.get(p));
        assertThat(pts.get(p).cost()).isCloseTo(RouterCurve.weightedMean(set.cost(), brute.get(p), w), offset(1e-12));
        assertThat(pts.get(p).quality()).isCloseTo(RouterCurve.weightedMean(set.quality(), brute.get(p), w), offset(1e-12));
        assertThat(pts.get(p).param()).isEqualTo(params[p]);
      }
    }
  }

  @Test
  void oracleIsAtOrAboveEveryRouterAndTheZeroRouterAboveEveryModel() {
    Random r = new Random(7);
    for (int trial = 0; trial < 30; trial++) {
      EvalSet set = randomSet(r, 25, 4);
      Frontier oracle = Frontier.of(new OracleCurve(set).points());
      for (int k = 0; k < 50; k++) {
        int[] ch = new int[set.size()];
        for (int i = 0; i < ch.length; i++) {
          ch[i] = r.nextInt(set.modelCount());
        }
        double c = RouterCurve.weightedMean(set.cost(), ch, null);
        double q = RouterCurve.weightedMean(set.quality(), ch, null);
        assertThat(oracle.qualityAt(c)).isGreaterThanOrEqualTo(q - 1e-12);
      }
      Frontier zero = Frontier.of(new ZeroRouterCurve(set).points());
      for (Point s : SingleModels.points(set, null)) {
        assertThat(zero.qualityAt(s.cost())).isGreaterThanOrEqualTo(s.quality() - 1e-12);
        assertThat(oracle.qualityAt(s.cost())).isGreaterThanOrEqualTo(s.quality() - 1e-12);
      }
    }
  }

  static EvalSet randomSet(Random r, int n, int m) {
    List<String> models = new ArrayList<>();
    for (int j = 0; j < m; j++) {
      models.add("m" + j);
    }
    List<String> ids = new ArrayList<>();
    double[][] q = new double[n][m];
    double[][] c = new double[n][m];
    for (int i = 0; i < n; i++) {
      ids.add("p" + i);
      for (int j = 0; j < m; j++) {
        q[i][j] = r.nextBoolean() ? 1 : (r.nextInt(10) / 10.0);
        c[i][j] = (j + 1) * 0.001 * (0.5 + r.nextDouble());
      }
    }
    return new EvalSet(models, ids, q, c, new double[n][m], new double[n][m]);
  }
}
