package io.carrot.collect.imports;

import io.carrot.collect.dataset.Splits;
import io.carrot.core.CarrotException;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.PriceTable;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collects an importer's rows: checks values, drops (and counts, by reason) incomplete or duplicate
 * rows, then builds the dataset with its split.
 *
 * <p>Split: when no row says which split it is in, the seeded 70/15/15 per source ({@link Splits});
 * when rows come from train and test files, those, with 15% of each source's train rows (seeded)
 * as validation unless validation files were given too. Rows of unsplit files then count as train.
 */
final class RowSet {
  private final List<String> models;
  private final List<PromptRecord> rows = new ArrayList<>();
  private final List<Split> hints = new ArrayList<>();
  private final List<Long> ranks = new ArrayList<>();
  private final Set<String> ids = new HashSet<>();
  private final Map<String, Integer> dropped = new LinkedHashMap<>();
  private String splitRule = "";

  RowSet(List<String> models) {
    if (models.isEmpty()) {
      throw new CarrotException("no model columns found");
    }
    this.models = List.copyOf(models);
  }

  List<String> models() {
    return models;
  }

  int size() {
    return rows.size();
  }

  /** Adds a complete row; a second row with the same id is dropped and counted. */
  void add(PromptRecord r, Split hint) {
    add(r, hint, null);
  }

  /**
   * @param rank the row's position in its split's id list, when the input records it (carrot's own
   *     export does), so split.json's order survives a round trip; null for file order
   */
  void add(PromptRecord r, Split hint, Long rank) {
    if (!ids.add(r.id())) {
      drop("duplicate id (first row kept)");
      return;
    }
    rows.add(r);
    hints.add(hint);
    ranks.add(rank);
  }

  void drop(String reason) {
    dropped.merge(reason, 1, Integer::sum);
  }

  /** Checks a score is in [0, 1] and a token count or cost is >= 0. */
  static double check(double v, String field, boolean unit, String where) {
    if (Double.isNaN(v) || Double.isInfinite(v) || v < 0 || (unit && v > 1)) {
      throw new CarrotException(where + ": " + field + " = " + v + ", expected a number " + (unit ? "in [0, 1]" : ">= 0"));
    }
    return v;
  }

  /** Dropped rows, e.g. {@code 3 rows (missing score for gpt-4o)}; empty when none. */
  List<String> dropLines() {
    List<String> out = new ArrayList<>();
    dropped.forEach((k, v) -> out.add(v + " rows (" + k + ")"));
    return out;
  }

  /** One line for the README's derivation: how the split was made (set by {@link #build}). */
  String splitRule() {
    return splitRule;
  }

  /** The dataset, with only its own models' prices from {@code given}. */
  Dataset build(String name, PriceTable given) {
    if (rows.isEmpty()) {
      throw new CarrotException("no complete rows to import" + (dropped.isEmpty() ? "" : "; dropped: " + dropLines()));
    }
    given.requireAll(models, "prices");
    Map<String, io.carrot.core.data.ModelPrice> own = new LinkedHashMap<>();
    for (String m : models) {
      own.put(m, given.price(m));
    }
    PriceTable prices = new PriceTable(own);
    boolean anyHint = hints.stream().anyMatch(h -> h != null);
    Map<Split, int[]> split;
    if (!anyHint) {
      split = Splits.seeded(rows);
      splitRule = "Split (`split.json`): the input has no split; per source, ids sorted, shuffled with java.util.Random("
          + Splits.SEED + "), 70% train, 15% validation, the rest test.";
    } else if (hints.contains(Split.VALIDATION)) {
      split = new EnumMap<>(Split.class);
      Map<Split, List<Integer>> idx = new EnumMap<>(Split.class);
      for (int i = 0; i < rows.size(); i++) {
        idx.computeIfAbsent(hints.get(i) == null ? Split.TRAIN : hints.get(i), k -> new ArrayList<>()).add(i);
      }
      for (Split s : Split.values()) {
        List<Integer> in = new ArrayList<>(idx.getOrDefault(s, List.of()));
        if (in.stream().allMatch(i -> ranks.get(i) != null)) {
          in.sort(java.util.Comparator.comparing(ranks::get));
        }
        split.put(s, in.stream().mapToInt(Integer::intValue).toArray());
      }
      splitRule = "Split (`split.json`): the input files' own train / validation / test split.";
    } else {
      Set<String> test = new HashSet<>();
      for (int i = 0; i < rows.size(); i++) {
        if (hints.get(i) == Split.TEST) {
          test.add(rows.get(i).id());
        }
      }
      split = Splits.withTest(rows, test);
      splitRule = "Split (`split.json`): `test` = the rows of the input's test files; of the other rows, per source, ids"
          + " sorted, shuffled with java.util.Random(" + Splits.SEED + "), 15% -> validation, the rest -> train.";
    }
    return new Dataset(name, "", models, prices, rows, split);
  }

  /** Index of each model name. */
  Map<String, Integer> modelIndex() {
    Map<String, Integer> m = new HashMap<>();
    for (int i = 0; i < models.size(); i++) {
      m.put(models.get(i), i);
    }
    return m;
  }
}
