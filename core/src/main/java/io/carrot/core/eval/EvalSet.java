package io.carrot.core.eval;

import io.carrot.core.CarrotException;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PromptRecord;
import java.util.List;

/**
 * The ground truth of an evaluation split as dense arrays: per prompt and model, the observed
 * quality, true cost (the dataset's {@code cost} field where it has one, else recorded tokens x
 * prices), recorded input and output tokens.
 */
public record EvalSet(
    List<String> models,
    List<String> ids,
    double[][] quality,
    double[][] cost,
    double[][] inputTokens,
    double[][] outputTokens) {

  public static EvalSet of(Dataset data, List<PromptRecord> rows) {
    if (rows.isEmpty()) {
      throw new CarrotException("cannot evaluate on an empty split of dataset '" + data.name() + "'");
    }
    int n = rows.size();
    int m = data.modelCount();
    ModelPrice[] prices = data.priceArray();
    double[][] q = new double[n][];
    double[][] c = new double[n][m];
    double[][] in = new double[n][];
    double[][] out = new double[n][];
    String[] ids = new String[n];
    for (int i = 0; i < n; i++) {
      PromptRecord r = rows.get(i);
      ids[i] = r.id();
      q[i] = r.scores().clone();
      in[i] = r.inputTokens().clone();
      out[i] = r.outputTokens().clone();
      for (int j = 0; j < m; j++) {
        c[i][j] = r.trueCost(j, prices[j]);
      }
    }
    return new EvalSet(data.models(), List.of(ids), q, c, in, out);
  }

  public int size() {
    return quality.length;
  }

  public int modelCount() {
    return models.size();
  }

  /** Mean quality of one model over the set. */
  public double meanQuality(int model) {
    double s = 0;
    for (double[] r : quality) {
      s += r[model];
    }
    return s / quality.length;
  }

  /** Mean true cost of one model over the set. */
  public double meanCost(int model) {
    double s = 0;
    for (double[] r : cost) {
      s += r[model];
    }
    return s / cost.length;
  }
}
