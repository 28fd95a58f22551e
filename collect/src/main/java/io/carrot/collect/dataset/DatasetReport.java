package io.carrot.collect.dataset;

import io.carrot.core.curve.Baselines;
import io.carrot.core.curve.EvalSet;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.core.metrics.Point;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The README of a dataset carrot built: what it is, where every number came from (provenance and
 * derivation, written by the importer or the collection), counts per source and split, and
 * reference numbers (per-model mean score and cost, best single model, oracle) on the test split.
 */
public final class DatasetReport {
  private DatasetReport() {}

  /**
   * @param summary one paragraph saying what the dataset is
   * @param provenance bullet points: sources, files and their hashes, licences, prices, dates
   * @param derivation bullet points: how each field was computed, what was dropped and why
   */
  public static String readme(
      Dataset d, String summary, List<String> provenance, List<String> derivation) {
    StringBuilder b = new StringBuilder();
    b.append("# ").append(d.name()).append("\n\n");
    b.append(summary.strip()).append(' ')
        .append(String.format(Locale.ROOT, "%d prompts x %d models.", d.prompts().size(), d.modelCount()))
        .append("\n\n");
    section(b, "Provenance", provenance);
    section(b, "Derivation", derivation);
    counts(b, d);
    reference(b, d);
    return b.toString();
  }

  private static void section(StringBuilder b, String title, List<String> bullets) {
    if (bullets.isEmpty()) {
      return;
    }
    b.append("## ").append(title).append("\n\n");
    for (String s : bullets) {
      b.append("- ").append(s.strip()).append('\n');
    }
    b.append('\n');
  }

  private static void counts(StringBuilder b, Dataset d) {
    Map<String, Map<Split, Integer>> bySource = new TreeMap<>();
    for (Split s : Split.values()) {
      for (PromptRecord r : d.rows(s)) {
        bySource.computeIfAbsent(label(r.source()), k -> new EnumMap<>(Split.class)).merge(s, 1, Integer::sum);
      }
    }
    b.append("## Counts\n\n| source | train | validation | test | total |\n|---|---:|---:|---:|---:|\n");
    int[] all = new int[3];
    for (Map.Entry<String, Map<Split, Integer>> e : bySource.entrySet()) {
      int[] c = new int[3];
      for (Split s : Split.values()) {
        c[s.ordinal()] = e.getValue().getOrDefault(s, 0);
        all[s.ordinal()] += c[s.ordinal()];
      }
      b.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d |%n", e.getKey(), c[0], c[1], c[2], c[0] + c[1] + c[2]));
    }
    b.append(String.format(Locale.ROOT, "| **all** | %d | %d | %d | %d |%n%n", all[0], all[1], all[2], all[0] + all[1] + all[2]));
  }

  private static String label(String source) {
    return source.isEmpty() ? "(none)" : source.replace("|", "\\|");
  }

  private static void reference(StringBuilder b, Dataset d) {
    List<PromptRecord> rows = d.rows(Split.TEST);
    String where = "test";
    if (rows.isEmpty()) {
      rows = d.prompts();
      where = "all prompts";
    }
    int all = rows.size();
    rows = EvalSet.completeRows(rows);
    if (rows.isEmpty()) {
      b.append("## Reference numbers\n\nNo prompt has an entry for every model, so the models are not compared here.\n\n");
      return;
    }
    EvalSet set = EvalSet.of(d, rows);
    String sparse = rows.size() < all ? ", the " + (all - rows.size()) + " with a model missing left out" : "";
    b.append(String.format(Locale.ROOT, "## Reference numbers on %s (%d prompts%s)%n%n", where, rows.size(), sparse));
    b.append("| model | input $/Mtok | output $/Mtok | mean score | mean cost per prompt (USD) |\n|---|---:|---:|---:|---:|\n");
    List<Integer> order = new ArrayList<>();
    for (int m = 0; m < d.modelCount(); m++) {
      order.add(m);
    }
    order.sort(Comparator.comparingDouble((Integer m) -> -set.meanQuality(m)).thenComparing(d.models()::get));
    ModelPrice[] prices = d.priceArray();
    for (int m : order) {
      b.append(String.format(Locale.ROOT, "| %s | %s | %s | %.4f | %.3e |%n", d.models().get(m),
          num(prices[m].inputPerMtok()), num(prices[m].outputPerMtok()), set.meanQuality(m), set.meanCost(m)));
    }
    int best = Baselines.bestSingle(set);
    Point oracle = Baselines.oracle(set);
    b.append(String.format(Locale.ROOT, "%n- Best single model: **%s**, mean score %.4f at %.3e USD per prompt.%n",
        d.models().get(best), set.meanQuality(best), set.meanCost(best)));
    b.append(String.format(Locale.ROOT, "- Oracle (best model per prompt, cheapest among ties): **%.4f** at %.3e USD per prompt.%n",
        oracle.quality(), oracle.cost()));
  }

  private static String num(double x) {
    return x == Math.rint(x) ? Long.toString((long) x) : String.format(Locale.ROOT, "%s", x);
  }
}
