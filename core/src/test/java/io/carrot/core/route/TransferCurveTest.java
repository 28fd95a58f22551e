package io.carrot.core.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.carrot.core.CarrotException;
import io.carrot.core.index.ExactKnnIndex;
import io.carrot.core.predict.ConstantPredictor;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.predict.knn.KnnTrainer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The weight learned from the training data's sources: hand-computed isotonic knots, a synthetic
 * dataset whose sources disagree (what one source's neighbours say about the other is wrong, so a
 * prompt as far from its neighbours as a held-out source's is routed by the priors), and random
 * data that must always give a valid curve.
 */
class TransferCurveTest {
  static final int D = SupportTest.D;

  @Test
  void knotsAreTheWeightedIsotonicFitScaledByTheReference() {
    // probes at s = 1, 2, 3, 4 with <d, r> = 2, -1, 3, 1 and <d, d> = 1: values 2, -1, 3, 1; pooling the
    // violators gives 0.5 (centre 1.5) and 2 (centre 3.5); divided by the reference 2 and clipped: 0.25, 1
    TransferCurve c = TransferCurve.isotonic(new double[] {1, 2, 3, 4}, new double[] {2, -1, 3, 1}, new double[] {1, 1, 1, 1}, 2);
    assertThat(c.similarity()).containsExactly(new double[] {1.5, 3.5}, within(1e-12));
    assertThat(c.weights()).containsExactly(new double[] {0.25, 1}, within(1e-12));
    assertThat(c.weight(0)).isEqualTo(0.25);
    assertThat(c.weight(2.5)).isCloseTo(0.625, within(1e-12));
    assertThat(c.weight(9)).isEqualTo(1);
    // a probe whose neighbours carry nothing (<d, d> = 0) is left out; unequal weights pull the pooled value
    TransferCurve w = TransferCurve.isotonic(new double[] {1, 2, 3}, new double[] {3, 0, 0}, new double[] {1, 0, 3}, 1);
    assertThat(w.similarity()).containsExactly(new double[] {2.5}, within(1e-12)); // (1 * 1 + 3 * 3) / 4
    assertThat(w.weights()).containsExactly(new double[] {0.75}, within(1e-12)); // (3 + 0) / (1 + 3)
  }

  /** Utilities over the decision grid: 1 where {@code from <= v <= to}, else 0. */
  private static double[] window(int from, int to) {
    double[] u = new double[TransferCurve.GRID + 1];
    for (int v = from; v <= to; v++) {
      u[v] = 1;
    }
    return u;
  }

  @Test
  void decisionKnotsAreTheMonotoneBestWeightsScaledByTheSeenKindsBest() {
    int g = TransferCurve.GRID;
    assertThat(g).isEqualTo(20);
    // seen probes 0 and 1 (s = 3, 4) are best from v = 10 and 20: summed, best at 20, the reference.
    // unseen probes 2 and 3 (s = 1, 2), best at 0 and 4: in order, no pooling; 0, 4, 10, 20 over 20
    double[][] u = {window(10, g), window(20, g), window(0, 5), window(4, 8)};
    TransferCurve c = TransferCurve.byDecision(new double[] {3, 4, 1, 2}, u, 2);
    assertThat(c.similarity()).containsExactly(1, 2, 3, 4);
    assertThat(c.weights()).containsExactly(new double[] {0, 0.2, 0.5, 1}, within(1e-12));
    // probe 3 moved below probe 2 violates the order: pooled, 1 + 1 is best over v = 4..5, the smallest 4
    TransferCurve pooled = TransferCurve.byDecision(new double[] {3, 4, 1, 0.5}, u, 2);
    assertThat(pooled.similarity()).containsExactly(new double[] {0.75, 3, 4}, within(1e-12));
    assertThat(pooled.weights()).containsExactly(new double[] {0.2, 0.5, 1}, within(1e-12));
    // when the seen kind's choice is best without the neighbours, there is no decision curve
    assertThat(TransferCurve.byDecision(new double[] {3, 4, 1}, new double[][] {window(0, 0), window(0, 3), window(5, 9)}, 2)).isNull();
  }

  @Test
  void theSmallerCurveTakesTheMinimumAtEveryKnotOfEither() {
    TransferCurve x = new TransferCurve(new double[] {0, 1}, new double[] {0, 1});
    TransferCurve y = new TransferCurve(new double[] {0.5}, new double[] {0.5});
    TransferCurve m = TransferCurve.smaller(x, y);
    assertThat(m.similarity()).containsExactly(0, 0.5, 1);
    assertThat(m.weights()).containsExactly(0, 0.5, 0.5);
  }

  @Test
  void knotsMustAscendAndWeightsStayInTheUnitInterval() {
    assertThatThrownBy(() -> new TransferCurve(new double[] {0.2, 0.1}, new double[] {0, 1}))
        .isInstanceOf(CarrotException.class).hasMessageContaining("ascend");
    assertThatThrownBy(() -> new TransferCurve(new double[] {0.1, 0.2}, new double[] {1, 0.5}))
        .isInstanceOf(CarrotException.class).hasMessageContaining("ascend");
    assertThatThrownBy(() -> new TransferCurve(new double[] {0.1}, new double[] {1.5}))
        .isInstanceOf(CarrotException.class).hasMessageContaining("[0, 1]");
    assertThatThrownBy(() -> new TransferCurve(new double[] {}, new double[] {}))
        .isInstanceOf(CarrotException.class).hasMessageContaining("at least one knot");
  }

  /**
   * Sources A (axis 0) and C (axis 3), each in two clusters by the sign of coordinate 2, which
   * decides the better model the opposite way: in A "strong" wins where it is positive, in C
   * "cheap" does. A's nearest C prompts share A's sign of coordinate 2, so they point the wrong way.
   */
  static TrainingSet disagreeing(Random r, int perSource, String[] sourceOut) {
    return twoSources(r, perSource, sourceOut, SupportTest.MODELS, new double[] {300, 100},
        (a, positive) -> a == positive ? new double[] {1, 0} : new double[] {0, 1});
  }

  /** Each prompt's qualities by its source (A or not) and its cluster (the sign of coordinate 2). */
  interface ClusterQuality {
    double[] of(boolean sourceA, boolean positive);
  }

  /** {@code perSource} prompts of source A (axis 0), then as many of C (axis 3), each in a random cluster. */
  static TrainingSet twoSources(
      Random r, int perSource, String[] sourceOut, List<String> models, double[] tokens, ClusterQuality quality) {
    int n = 2 * perSource;
    float[][] e = new float[n][];
    double[][] q = new double[n][];
    double[][] t = new double[n][];
    for (int i = 0; i < n; i++) {
      boolean a = i < perSource;
      boolean positive = r.nextBoolean();
      e[i] = clustered(r, a ? SupportTest.A_AXIS : 3, positive);
      q[i] = quality.of(a, positive);
      t[i] = tokens.clone();
      sourceOut[i] = a ? "A" : "C";
    }
    return new TrainingSet(models, e, q, t);
  }

  /** A prompt of the source along {@code axis}, in its cluster with the sign {@code positive} of coordinate 2. */
  static float[] clustered(Random r, int axis, boolean positive) {
    float[] v = SupportTest.prompt(r, axis);
    v[2] += positive ? 0.5f : -0.5f;
    return SupportTest.unit(v);
  }

  @Test
  void neighboursThatDisagreeAcrossSourcesGetNoWeightAtTheirSimilarity() {
    Random r = new Random(11);
    String[] src = new String[600];
    TrainingSet ts = disagreeing(r, 300, src);
    Support s = Support.fit(ts, src, 42);
    TransferCurve c = s.transfer().orElseThrow();
    // what a held-out source's prompts look like to the router: their nearest training prompts are the other source's
    double crossSimilarity = meanSimilarityToOtherSource(ts, src);
    double median = Support.quantile(s.reference(), 0.5);
    assertThat(crossSimilarity).isLessThan(median);
    assertThat(c.weight(crossSimilarity)).isEqualTo(0);
    assertThat(c.weight(median)).isGreaterThan(0.8);
    // a prompt of the training sources keeps its prediction; one as far as the other source is low and blind
    Router knn = SupportTest.router(ts, KnnTrainer.fixed(5).fit(ts, x -> {})).withSupport(s);
    int full = 0;
    for (int i = 0; i < 100; i++) {
      Decision d = knn.route(clustered(r, SupportTest.A_AXIS, r.nextBoolean()), 200, RouteOptions.mu(0));
      full += d.support().weight() == 1 ? 1 : 0;
    }
    assertThat(full).isGreaterThan(50);
  }

  /**
   * Four models in sources A and C, each in two clusters by the sign of coordinate 2. "top" and
   * "second" lead by turns, the opposite way in the two sources (top leads where A's coordinate is
   * positive and where C's is negative); "w1" and "w2", never in the lead, swing widely with the
   * sign the same way in both sources. Across sources the neighbours are right about the swings
   * and wrong about the lead.
   */
  static TrainingSet rightAboutTheTailWrongAboutTheLead(Random r, int perSource, String[] sourceOut) {
    return twoSources(r, perSource, sourceOut, List.of("top", "second", "w1", "w2"), new double[] {300, 200, 100, 100},
        (a, positive) -> {
          boolean topLeads = a == positive;
          return new double[] {topLeads ? 0.75 : 0.5, topLeads ? 0.5 : 0.7, positive ? 0.4 : 0, positive ? 0 : 0.4};
        });
  }

  /**
   * The least-squares weight counts every model alike, so neighbours right about the tail keep
   * about half their weight across sources; the decision curve asks whether they pick the better
   * model at mu = 0, and across sources they do not.
   */
  @Test
  void theDecisionCurveCutsNeighboursThatAreRightOnlyAboutModelsNeverChosen() {
    Random r = new Random(16);
    String[] src = new String[600];
    TrainingSet ts = rightAboutTheTailWrongAboutTheLead(r, 300, src);
    double cross = meanSimilarityToOtherSource(ts, src);
    TransferCurve squares = Support.fit(ts, src, 42, false).transfer().orElseThrow();
    TransferCurve both = Support.fit(ts, src, 42, true).transfer().orElseThrow();
    assertThat(squares.weight(cross)).isGreaterThan(0.3);
    assertThat(both.weight(cross)).isLessThan(0.05);
    Support s = Support.fit(ts, src, 42);
    assertThat(s.transfer().orElseThrow().weight(Support.quantile(s.reference(), 0.5))).isEqualTo(1);
  }

  @Test
  void anUnseenSourceFallsBackToThePriorsWithALearnedCurve() {
    Random r = new Random(12);
    String[] src = new String[600];
    TrainingSet ts = disagreeing(r, 300, src);
    Support s = Support.fit(ts, src, 42);
    Router knn = SupportTest.router(ts, KnnTrainer.fixed(5).fit(ts, x -> {})).withSupport(s);
    Router blind = SupportTest.router(ts, ConstantPredictor.fit(ts)).withSupport(s);
    for (int i = 0; i < 30; i++) {
      float[] b = SupportTest.prompt(r, SupportTest.B_AXIS);
      for (double mu : new double[] {0, 0.3, 1}) {
        Decision fallback = knn.route(b, 200, RouteOptions.mu(mu));
        assertThat(fallback.support().weight()).isEqualTo(0);
        assertThat(fallback.candidates()).isEqualTo(blind.route(b, 200, RouteOptions.mu(mu)).candidates());
      }
    }
  }

  @Test
  void oneSourceOrNoneLearnsNothing() {
    Random r = new Random(13);
    TrainingSet ts = SupportTest.sourceA(r, 200);
    String[] one = new String[200];
    Arrays.fill(one, "A");
    assertThat(Support.fit(ts, one, 42).transfer()).isEmpty();
    assertThat(Support.fit(ts, 42).transfer()).isEmpty();
    assertThat(Support.fit(ts, new String[200], 42).transfer()).isEmpty(); // unknown sources count as one
    assertThatThrownBy(() -> Support.fit(ts, new String[3], 42)).isInstanceOf(CarrotException.class)
        .hasMessageContaining("one source per training row");
  }

  /** Random vectors, sources (some of one prompt), qualities (constant, missing, ties): always a valid curve or none. */
  @Test
  void randomDataGivesAMonotoneCurveInTheUnitIntervalOrNone() {
    Random r = new Random(14);
    int learned = 0;
    for (int trial = 0; trial < 60; trial++) {
      int n = 3 + r.nextInt(120);
      int m = 1 + r.nextInt(4);
      int sources = 1 + r.nextInt(5);
      float[][] e = new float[n][];
      double[][] q = new double[n][m];
      double[][] t = new double[n][m];
      String[] src = new String[n];
      boolean constant = r.nextInt(5) == 0;
      boolean signal = r.nextBoolean(); // quality that the vector decides, else noise
      for (int i = 0; i < n; i++) {
        float[] v = new float[D];
        for (int j = 0; j < D; j++) {
          v[j] = r.nextInt(4) == 0 ? 0 : (float) r.nextGaussian();
        }
        v[r.nextInt(D)] += 0.01f; // never all zero
        e[i] = SupportTest.unit(v);
        src[i] = i == 0 ? "single" : "s" + r.nextInt(sources);
        for (int j = 0; j < m; j++) {
          q[i][j] = constant ? 0.5 : signal ? (e[i][j] > 0 ? 1 : 0) : r.nextInt(3) / 2.0;
          t[i][j] = r.nextInt(50);
        }
      }
      for (int j = 0; j < m; j++) {
        int gap = r.nextInt(n);
        if (gap > 0) { // a missing entry, never the only one of its model
          q[gap][j] = Double.NaN;
          t[gap][j] = Double.NaN;
        }
      }
      Support s = Support.fit(new TrainingSet(modelNames(m), e, q, t), src, trial);
      if (s.transfer().isPresent()) {
        learned++;
        TransferCurve c = s.transfer().get();
        double last = -1;
        for (double x = -1; x <= 1; x += 0.01) {
          double w = c.weight(x);
          assertThat(w).isBetween(0.0, 1.0).isGreaterThanOrEqualTo(last);
          last = w;
        }
      }
      if (constant) {
        assertThat(s.transfer()).as("constant quality: neighbours carry nothing").isEmpty();
      }
    }
    assertThat(learned).isGreaterThan(10);
  }

  /**
   * Prompts repeated many times (a dataset whose prompt text is only its task, say): probes pile up
   * at exactly equal similarities, which must pool into one knot each and still ascend.
   */
  @Test
  void duplicatedPromptsGiveAValidCurve() {
    Random r = new Random(15);
    for (int trial = 0; trial < 20; trial++) {
      int kinds = 2 + r.nextInt(3);
      int n = 40 + r.nextInt(200);
      int m = 2 + r.nextInt(3);
      float[][] base = new float[kinds][];
      for (int k = 0; k < kinds; k++) {
        float[] v = new float[D];
        for (int j = 0; j < D; j++) {
          v[j] = (float) r.nextGaussian();
        }
        base[k] = SupportTest.unit(v);
      }
      float[][] e = new float[n][];
      double[][] q = new double[n][m];
      double[][] t = new double[n][m];
      String[] src = new String[n];
      for (int i = 0; i < n; i++) {
        int k = r.nextInt(kinds);
        e[i] = base[k].clone();
        src[i] = "task" + k;
        for (int j = 0; j < m; j++) {
          q[i][j] = r.nextDouble() < (j + k) % m / (double) m ? 1 : 0;
          t[i][j] = r.nextInt(50);
        }
      }
      Support s = Support.fit(new TrainingSet(modelNames(m), e, q, t), src, trial);
      s.transfer().ifPresent(c -> {
        double[] x = c.similarity();
        for (int j = 1; j < x.length; j++) {
          assertThat(x[j]).isGreaterThan(x[j - 1]);
        }
      });
    }
    // tied similarities, one of them an ulp off after summing: one knot per distinct similarity
    double third = 1.0 / 3;
    TransferCurve c = TransferCurve.isotonic(new double[] {third, third, third, 0.9, 0.9}, new double[] {1, 1, 1, 2, 2},
        new double[] {1, 1, 1, 1, 1}, 2);
    assertThat(c.similarity()).hasSize(2);
    assertThat(c.weights()).containsExactly(0.5, 1.0);
  }

  private static List<String> modelNames(int m) {
    return java.util.stream.IntStream.range(0, m).mapToObj(j -> "m" + j).toList();
  }

  private static float[] blend(float[] x, float[] y) {
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] + y[i];
    }
    return out;
  }

  /** Mean over rows of the mean similarity of their 10 nearest rows of the other source. */
  private static double meanSimilarityToOtherSource(TrainingSet ts, String[] src) {
    ExactKnnIndex index = new ExactKnnIndex(ts.embeddings());
    double sum = 0;
    for (int i = 0; i < ts.size(); i++) {
      boolean[] same = new boolean[ts.size()];
      for (int j = 0; j < same.length; j++) {
        same[j] = src[j].equals(src[i]);
      }
      int[] near = index.topK(ts.embeddings()[i], 10, same);
      double s = 0;
      for (float v : index.similarities(ts.embeddings()[i], near)) {
        s += v;
      }
      sum += s / near.length;
    }
    return sum / ts.size();
  }
}
