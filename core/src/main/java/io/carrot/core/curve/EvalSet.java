package io.carrot.core.curve;

import io.carrot.core.CarrotException;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.predict.TrainingSet;
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
    for (PromptRecord r : rows) {
      if (!r.complete()) {
        throw new CarrotException(
            "prompt '" + r.id() + "' of dataset '" + data.name() + "' lacks an entry for some model; evaluation"
                + " compares every model on the same prompts (use EvalSet.completeRows first)");
      }
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

  /**
   * The prompts of {@code set} on which every model has an entry (see {@link #completeRows}), with
   * their costs; ids are the row numbers in {@code set}. Null when there are none.
   *
   * @param who what needs the costs, for the error when {@code set} has none
   */
  public static EvalSet completeOf(TrainingSet set, String who) {
    TrainingSet.Costs costs = set.requireCosts(who);
    int[] rows = completeIndices(set);
    if (rows.length == 0) {
      return null;
    }
    int n = rows.length;
    double[][] q = new double[n][];
    double[][] c = new double[n][];
    double[][] in = new double[n][];
    double[][] out = new double[n][];
    String[] ids = new String[n];
    for (int r = 0; r < n; r++) {
      int i = rows[r];
      ids[r] = Integer.toString(i);
      q[r] = set.quality()[i].clone();
      c[r] = costs.trueCost()[i].clone();
      in[r] = costs.inputTokens()[i].clone();
      out[r] = set.outputTokens()[i].clone();
    }
    return new EvalSet(set.models(), List.of(ids), q, c, in, out);
  }

  /** The embeddings of the rows {@link #completeOf} keeps, in order. */
  public static float[][] completeEmbeddings(TrainingSet set) {
    int[] rows = completeIndices(set);
    float[][] out = new float[rows.length][];
    for (int r = 0; r < rows.length; r++) {
      out[r] = set.embeddings()[rows[r]];
    }
    return out;
  }

  private static int[] completeIndices(TrainingSet set) {
    return java.util.stream.IntStream.range(0, set.size())
        .filter(i -> java.util.stream.IntStream.range(0, set.models().size()).allMatch(j -> set.observed(i, j)))
        .toArray();
  }

  /**
   * The prompts on which every model has an entry: what a sparse dataset can be evaluated on (a
   * router's choice on the other prompts has no recorded outcome).
   */
  public static List<PromptRecord> completeRows(List<PromptRecord> rows) {
    List<PromptRecord> out = new java.util.ArrayList<>(rows.size());
    for (PromptRecord r : rows) {
      if (r.complete()) {
        out.add(r);
      }
    }
    return out;
  }

  /** The embeddings of {@link #completeRows}: those of {@code rows} whose prompt is complete. */
  public static float[][] completeEmbeddings(List<PromptRecord> rows, float[][] embeddings) {
    if (embeddings.length != rows.size()) {
      throw new CarrotException("got " + embeddings.length + " embeddings for " + rows.size() + " prompts");
    }
    List<float[]> out = new java.util.ArrayList<>(rows.size());
    for (int i = 0; i < embeddings.length; i++) {
      if (rows.get(i).complete()) {
        out.add(embeddings[i]);
      }
    }
    return out.toArray(new float[0][]);
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
