package io.carrot.core.data;

import io.carrot.core.CarrotException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A routing dataset: prompts, the models that answered them, their prices and the
 * train/validation/test split. Immutable.
 *
 * @param name dataset name (its folder name)
 * @param sha256 hash of the files it was read from, for provenance
 * @param models model names, the index order of every per-model array
 * @param prices price per model
 * @param prompts every prompt, in file order
 * @param split indices into {@code prompts} for each split (empty lists when the dataset has no split)
 */
public record Dataset(
    String name,
    String sha256,
    List<String> models,
    PriceTable prices,
    List<PromptRecord> prompts,
    Map<Split, int[]> split) {

  /** Validates that models, prices and prompts agree. */
  public Dataset {
    models = List.copyOf(models);
    prompts = Collections.unmodifiableList(new ArrayList<>(prompts));
    EnumMap<Split, int[]> copy = new EnumMap<>(Split.class);
    copy.putAll(split);
    split = Collections.unmodifiableMap(copy);
    if (models.isEmpty()) {
      throw new CarrotException("dataset '" + name + "' has no models");
    }
  }

  /** Number of models. */
  public int modelCount() {
    return models.size();
  }

  /** Column of {@code model} in the score, token and cost arrays. */
  public int modelIndex(String model) {
    int i = models.indexOf(model);
    if (i < 0) {
      throw new CarrotException("dataset '" + name + "' has no model '" + model + "'; it has " + models);
    }
    return i;
  }

  /** The prompts of one split, in split-file order. */
  public List<PromptRecord> rows(Split s) {
    int[] idx = split.getOrDefault(s, new int[0]);
    List<PromptRecord> out = new ArrayList<>(idx.length);
    for (int i : idx) {
      out.add(prompts.get(i));
    }
    return out;
  }

  /** The prompts of one split, failing clearly when it is empty. */
  public List<PromptRecord> requireRows(Split s) {
    List<PromptRecord> r = rows(s);
    if (r.isEmpty()) {
      throw new CarrotException(
          "dataset '" + name + "' has an empty " + s.key() + " split; split.json must list "
              + s.key() + " ids");
    }
    return r;
  }

  /** Price of every model, in model order. */
  public ModelPrice[] priceArray() {
    ModelPrice[] p = new ModelPrice[models.size()];
    for (int m = 0; m < p.length; m++) {
      p[m] = prices.price(models.get(m));
    }
    return p;
  }

  /**
   * The same dataset restricted to {@code keep} models (in the given order), e.g. to train a
   * router over the models a user can actually call.
   */
  public Dataset withModels(List<String> keep) {
    if (keep.size() < 1) {
      throw new CarrotException("the model list is empty");
    }
    int[] idx = new int[keep.size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = modelIndex(keep.get(i));
    }
    if (java.util.Set.copyOf(keep).size() != keep.size()) {
      throw new CarrotException("the model list names a model twice: " + keep);
    }
    List<PromptRecord> out = new ArrayList<>(prompts.size());
    for (PromptRecord r : prompts) {
      out.add(
          new PromptRecord(
              r.id(),
              r.prompt(),
              r.source(),
              pick(r.scores(), idx),
              pick(r.inputTokens(), idx),
              pick(r.outputTokens(), idx),
              r.cost() == null ? null : pick(r.cost(), idx)));
    }
    java.util.Map<String, ModelPrice> p = new java.util.LinkedHashMap<>();
    for (String m : keep) {
      p.put(m, prices.price(m));
    }
    return new Dataset(name, sha256, keep, new PriceTable(p), out, split);
  }

  private static double[] pick(double[] v, int[] idx) {
    double[] o = new double[idx.length];
    for (int i = 0; i < idx.length; i++) {
      o[i] = v[idx[i]];
    }
    return o;
  }
}
