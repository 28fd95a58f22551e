package io.carrot.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import io.carrot.core.ProgressListener;
import io.carrot.core.curve.EvalSet;
import io.carrot.core.curve.OracleCurve;
import io.carrot.core.curve.SingleModels;
import io.carrot.core.curve.ZeroRouterCurve;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.core.metrics.Frontier;
import io.carrot.core.metrics.MetricFormulas;
import io.carrot.core.metrics.Point;
import io.carrot.core.metrics.RouterMetrics;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The harness on many small random datasets of the kinds real ones are: free models, models of
 * exactly equal price, input-only costs (no output tokens at all), recorded costs, constant or
 * all-zero scores, sources of one prompt, missing entries. On every one, every sanity check must
 * pass and every number must either exist or be n/a for a stated reason; the check itself must
 * still fire on a router curve that is deliberately wrong.
 */
class HarnessPropertyTest {
  private static final int DATASETS = 60;
  private static final int DIM = 6;

  /** One random dataset; {@code kind} picks which awkward property it has most of. */
  static Dataset random(SplittableRandom rnd, int index) {
    int m = 2 + rnd.nextInt(4);
    boolean inputOnly = rnd.nextInt(3) == 0;
    boolean recordedCost = !inputOnly && rnd.nextInt(4) == 0;
    boolean constantScores = rnd.nextInt(6) == 0;
    boolean sparse = rnd.nextInt(4) == 0;
    boolean binaryScores = rnd.nextBoolean();
    List<String> models = new ArrayList<>();
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    double[] inPrice = new double[m];
    double[] outPrice = new double[m];
    for (int j = 0; j < m; j++) {
      models.add("m" + j);
      // the last model is never free: with every model free, mu means nothing (training refuses that)
      int priceKind = j == m - 1 && inPrice[j - 1] == 0 ? 2 : rnd.nextInt(5);
      if (priceKind == 0 && j < m - 1) {
        inPrice[j] = 0; // a free model
        outPrice[j] = 0;
      } else if (priceKind == 1 && j > 0) {
        inPrice[j] = inPrice[j - 1]; // exactly the previous model's price
        outPrice[j] = outPrice[j - 1];
      } else {
        inPrice[j] = Math.rint(rnd.nextDouble(0.05, 20) * 100) / 100;
        outPrice[j] = Math.rint(rnd.nextDouble(0.05, 60) * 100) / 100;
      }
      prices.put(models.get(j), new ModelPrice(inPrice[j], outPrice[j], "test"));
    }
    int[] sizes = {4 + rnd.nextInt(30), rnd.nextInt(4) == 0 ? 0 : 2 + rnd.nextInt(12), 1 + rnd.nextInt(15)};
    Split[] order = {Split.TRAIN, Split.VALIDATION, Split.TEST};
    List<PromptRecord> prompts = new ArrayList<>();
    Map<Split, int[]> split = new EnumMap<>(Split.class);
    double constant = rnd.nextInt(3) / 2.0;
    for (int s = 0; s < 3; s++) {
      int[] idx = new int[sizes[s]];
      for (int i = 0; i < sizes[s]; i++) {
        // mostly three sources, now and then one of a single prompt
        String source = rnd.nextInt(8) == 0 ? "lone" + index + "-" + s + "-" + i : "src" + rnd.nextInt(3);
        double[] q = new double[m];
        double[] in = new double[m];
        double[] out = new double[m];
        double[] cost = recordedCost ? new double[m] : null;
        double tokens = 1 + rnd.nextInt(400);
        for (int j = 0; j < m; j++) {
          q[j] = constantScores ? constant : binaryScores ? rnd.nextInt(2) : rnd.nextInt(11) / 10.0;
          in[j] = rnd.nextInt(5) == 0 ? tokens : tokens + rnd.nextInt(20); // often equal across models
          out[j] = inputOnly ? 0 : rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(800);
          if (cost != null) {
            cost[j] = rnd.nextInt(6) == 0 ? 0 : (in[j] * inPrice[j] + out[j] * outPrice[j]) / 1e6;
          }
        }
        // a missing entry now and then (never every model of a prompt)
        if (sparse && rnd.nextInt(3) == 0) {
          int j = rnd.nextInt(m);
          q[j] = Double.NaN;
          in[j] = Double.NaN;
          out[j] = Double.NaN;
          if (cost != null) {
            cost[j] = Double.NaN;
          }
        }
        idx[i] = prompts.size();
        prompts.add(new PromptRecord(order[s].key() + i, "prompt " + s + "/" + i, source, q, in, out, cost));
      }
      split.put(order[s], idx);
    }
    // at least one complete test prompt, or the harness rightly refuses the dataset
    int first = split.get(Split.TEST)[0];
    PromptRecord f = prompts.get(first);
    if (!f.complete()) {
      double[] q = f.scores().clone();
      double[] in = f.inputTokens().clone();
      double[] out = f.outputTokens().clone();
      double[] cost = f.cost() == null ? null : f.cost().clone();
      for (int j = 0; j < m; j++) {
        if (Double.isNaN(q[j])) {
          q[j] = 0.5;
          in[j] = 10;
          out[j] = 0;
          if (cost != null) {
            cost[j] = 1e-5;
          }
        }
      }
      prompts.set(first, new PromptRecord(f.id(), f.prompt(), f.source(), q, in, out, cost));
    }
    return new Dataset("random" + index, "0".repeat(64), models, new PriceTable(prices), prompts, split);
  }

  /** Fake embeddings: a fixed random unit vector per prompt id (no model to load). */
  static EvaluationHarness.SplitEmbeddings vectors(long seed) {
    return vectors(seed, false);
  }

  /**
   * Fake embeddings keyed by prompt id, or by source ({@code bySource}: every prompt of a source has
   * the same vector, as when the prompt text names only its task).
   */
  static EvaluationHarness.SplitEmbeddings vectors(long seed, boolean bySource) {
    return (split, rows) -> {
      float[][] out = new float[rows.size()][DIM];
      for (int i = 0; i < out.length; i++) {
        String key = bySource ? rows.get(i).source() : rows.get(i).id();
        SplittableRandom r = new SplittableRandom(seed ^ key.hashCode());
        double n = 0;
        for (int d = 0; d < DIM; d++) {
          out[i][d] = (float) r.nextGaussian();
          n += out[i][d] * out[i][d];
        }
        for (int d = 0; d < DIM; d++) {
          out[i][d] /= (float) Math.sqrt(n);
        }
      }
      return out;
    };
  }

  @Test
  void everyRandomDatasetPassesEverySanityCheck() {
    SplittableRandom rnd = new SplittableRandom(20261207L);
    int inputOnly = 0;
    int unreachable = 0;
    for (int t = 0; t < DATASETS; t++) {
      Dataset d = random(rnd, t);
      EvalOptions o = EvalOptions.defaults().withEstimator("knn", Map.of("k", "3")).withMuSteps(50).withBootstrap(20).withSeed(t);
      // every third dataset repeats one vector per source (duplicated prompts: ties everywhere)
      EvalReport r = EvaluationHarness.run(d, vectors(t, t % 3 == 0), null, "fake", "none", o, ProgressListener.NONE);
      String what = "dataset " + t + " (" + d.modelCount() + " models, " + r.nTest() + " test prompts"
          + (t % 3 == 0 ? ", one vector per source)" : ")");
      assertThat(r.sanityViolations()).as(what).isEmpty();

      // the oracle's frontier is at or above every router point, read at exactly that point's cost
      Frontier oracle = Frontier.of(r.router("oracle").points());
      for (EvalReport.RouterResult rr : r.routers().values()) {
        for (Point p : rr.points()) {
          assertThat(oracle.qualityAt(p.cost())).as(what + " " + rr.name() + " at " + p).isGreaterThanOrEqualTo(p.quality() - 1e-9);
        }
        RouterMetrics m = rr.metrics();
        assertThat(m.aiq()).as(what + " " + rr.name() + " AIQ").isBetween(0.0, 1.0 + 1e-12);
        Frontier f = Frontier.of(rr.points());
        for (int i = 0; i < MetricFormulas.COST_FRACTIONS.length; i++) {
          double budget = MetricFormulas.COST_FRACTIONS[i] * r.anchors().bestCost();
          double v = m.qualityAtCostFraction()[i];
          if (!f.reaches(budget)) {
            assertThat(v).as(what + " " + rr.name() + " Q@" + MetricFormulas.COST_FRACTIONS[i] + " is unreachable").isNaN();
            unreachable++;
          } else if (r.anchors().bestQuality() > 0) {
            assertThat(v).as(what + " " + rr.name() + " Q@" + MetricFormulas.COST_FRACTIONS[i]).isBetween(0.0, 1e9);
            assertThat(budget).isGreaterThanOrEqualTo(Math.min(0, f.minCost() - 1e-9 * f.maxCost()));
          }
        }
      }
      boolean noOutputTokens = true;
      for (double[] row : EvalSet.of(d, EvalSet.completeRows(d.rows(Split.TEST))).outputTokens()) {
        for (double x : row) {
          noOutputTokens &= x == 0;
        }
      }
      if (noOutputTokens) {
        inputOnly++;
        assertThat(r.outputTokenMae().values()).as(what + " MAE with no output tokens").allSatisfy(v -> assertThat(v).isNaN());
      } else {
        assertThat(r.outputTokenMae().get(r.carrot())).as(what).isGreaterThanOrEqualTo(0.0);
      }
    }
    // the generator did produce the awkward cases this test is about
    assertThat(inputOnly).isGreaterThan(5);
    assertThat(unreachable).isGreaterThan(5);
  }

  @Test
  void theSanityCheckStillFiresOnABrokenRouterCurve() {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int t = 0; t < 10; t++) {
      Dataset d = random(rnd, t);
      EvalSet test = EvalSet.of(d, EvalSet.completeRows(d.rows(Split.TEST)));
      Map<String, List<Point>> pts = new LinkedHashMap<>();
      List<Point> oracle = new OracleCurve(test).points();
      pts.put("oracle", oracle);
      pts.put("zero-router", new ZeroRouterCurve(test).points());
      // a router that claims the oracle's best quality plus a little at the oracle's cheapest cost
      Point cheapest = oracle.get(0);
      Point top = oracle.get(oracle.size() - 1);
      pts.put("broken", List.of(new Point(0.5, cheapest.cost(), top.quality() + 0.01)));
      List<String> v = EvaluationHarness.sanity(pts, SingleModels.points(test, null), d.models());
      assertThat(v).as("dataset " + t).singleElement().asString().startsWith("broken at param 0.5: quality");
    }
  }
}
