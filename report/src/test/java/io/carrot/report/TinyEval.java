package io.carrot.report;

import io.carrot.core.ProgressListener;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.core.eval.EvalOptions;
import io.carrot.core.eval.EvalReport;
import io.carrot.core.eval.EvaluationHarness;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * An evaluation whose numbers are known: strong S always right ($0.01 a prompt), W right on cluster
 * A only ($0.001), B never ($0.0001). k-NN with k = 4 predicts every score, so CARROT routes like
 * the oracle: A -> W, B -> S, quality 1 at $0.0055, i.e. S's quality at 55% of its cost.
 */
final class TinyEval {
  private TinyEval() {}

  static EvalReport report(int bootstrap) {
    return EvaluationHarness.run(dataset(), TinyEval::embed, null, "tiny-vectors", "none",
        EvalOptions.defaults().withEstimator("knn", Map.of("k", "4")).withMuSteps(100).withBootstrap(bootstrap),
        ProgressListener.NONE);
  }

  static Dataset dataset() {
    return dataset(false);
  }

  /**
   * The same clusters with input-only costs: 100 input tokens and no output tokens per prompt at
   * input prices S 100, W 30, B 20 per million ($0.01, $0.003, $0.002 a prompt). Nothing costs
   * less than B's $0.002, so a budget of 10% of S's cost ($0.001) is unreachable for every router,
   * oracle included, and 20% is exactly the cheapest point.
   */
  static EvalReport inputOnlyReport(int bootstrap) {
    return EvaluationHarness.run(dataset(true), TinyEval::embed, null, "tiny-vectors", "none",
        EvalOptions.defaults().withEstimator("knn", Map.of("k", "4")).withMuSteps(100).withBootstrap(bootstrap),
        ProgressListener.NONE);
  }

  static Dataset dataset(boolean inputOnly) {
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    prices.put("S", inputOnly ? new ModelPrice(100, 0, "test") : new ModelPrice(0, 100, "test"));
    prices.put("W", inputOnly ? new ModelPrice(30, 0, "test") : new ModelPrice(0, 10, "test"));
    prices.put("B", inputOnly ? new ModelPrice(20, 0, "test") : new ModelPrice(0, 1, "test"));
    double[] in = inputOnly ? new double[] {100, 100, 100} : new double[] {0, 0, 0};
    double[] out = inputOnly ? new double[] {0, 0, 0} : new double[] {100, 100, 100};
    List<PromptRecord> prompts = new ArrayList<>();
    Map<Split, int[]> split = new EnumMap<>(Split.class);
    int[] sizes = {40, 20, 20};
    Split[] order = {Split.TRAIN, Split.VALIDATION, Split.TEST};
    for (int s = 0; s < 3; s++) {
      int[] idx = new int[sizes[s]];
      for (int i = 0; i < sizes[s]; i++) {
        boolean a = i % 2 == 0;
        idx[i] = prompts.size();
        prompts.add(new PromptRecord(order[s].key() + i, "prompt " + i, a ? "A" : "B",
            new double[] {1, a ? 1 : 0, 0}, in, out, null));
      }
      split.put(order[s], idx);
    }
    return new Dataset(inputOnly ? "tiny-input-only" : "tiny", "0".repeat(64), List.of("S", "W", "B"), new PriceTable(prices), prompts, split);
  }

  /** Cluster A along axis 0, B along axis 1, a little seeded noise elsewhere. */
  static float[][] embed(Split split, List<PromptRecord> rows) {
    float[][] out = new float[rows.size()][];
    for (int i = 0; i < out.length; i++) {
      PromptRecord r = rows.get(i);
      Random rnd = new Random(r.id().hashCode());
      float[] v = new float[8];
      v[r.source().equals("A") ? 0 : 1] = 1;
      for (int d = 2; d < 8; d++) {
        v[d] = (float) (0.05 * rnd.nextGaussian());
      }
      double n = 0;
      for (float x : v) {
        n += x * x;
      }
      for (int d = 0; d < 8; d++) {
        v[d] /= (float) Math.sqrt(n);
      }
      out[i] = v;
    }
    return out;
  }

  /** The same report with other sanity violations (to test how failures are shown). */
  static EvalReport withViolations(EvalReport r, List<String> v) {
    return new EvalReport(r.dataset(), r.datasetSha256(), r.nTrain(), r.nValidation(), r.nTest(), r.embedderId(), r.carrot(),
        r.routerInfo(), r.singles(), r.bestSingle(), r.bestSingleQualityCi(), r.oracle(), r.oracleQualityCi(), r.anchors(),
        r.routers(), r.differences(), r.selection(), r.topTieShare(), r.outputTokenMae(), r.deployment(), r.calibration(), r.budgetKnob(), r.qualityFloor(), v, r.notes(),
        r.options(), r.seconds(), r.crossValidation(), r.heldOutSources());
  }
}
