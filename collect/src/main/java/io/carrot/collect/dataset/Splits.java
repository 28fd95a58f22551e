package io.carrot.collect.dataset;

import io.carrot.core.CarrotException;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * The seeded train/validation/test split of the datasets carrot builds.
 *
 * <p>Per source (sources in name order), ids are sorted, shuffled with one {@link Random} seeded
 * with {@link #SEED} and cut 70% / 15% / 15% (rounded; the rest is test). Splitting per source
 * keeps every benchmark in every split. The result depends only on the ids, their sources and the
 * seed, so re-running an import or a collection gives the same split.
 */
public final class Splits {
  /** The project-wide seed (CARROT.md: random seed 42 for splits and CV). */
  public static final long SEED = 42;

  private static final double TRAIN = 0.70;
  private static final double VALIDATION = 0.15;

  private Splits() {}

  /** 70/15/15 per source. */
  public static Map<Split, int[]> seeded(List<PromptRecord> prompts) {
    Map<Split, List<String>> ids = new EnumMap<>(Split.class);
    for (Split s : Split.values()) {
      ids.put(s, new ArrayList<>());
    }
    Random rng = new Random(SEED);
    for (List<String> group : bySource(prompts, Set.of()).values()) {
      int n = group.size();
      int train = (int) Math.round(TRAIN * n);
      int val = Math.min(n - train, (int) Math.round(VALIDATION * n));
      shuffle(group, rng);
      ids.get(Split.TRAIN).addAll(sorted(group.subList(0, train)));
      ids.get(Split.VALIDATION).addAll(sorted(group.subList(train, train + val)));
      ids.get(Split.TEST).addAll(sorted(group.subList(train + val, n)));
    }
    return indices(prompts, ids);
  }

  /**
   * For sources that come with their own test set: {@code testIds} are test, and 15% of each
   * source's remaining prompts (seeded as above) become validation.
   */
  public static Map<Split, int[]> withTest(List<PromptRecord> prompts, Set<String> testIds) {
    Map<Split, List<String>> ids = new EnumMap<>(Split.class);
    for (Split s : Split.values()) {
      ids.put(s, new ArrayList<>());
    }
    Random rng = new Random(SEED);
    for (List<String> group : bySource(prompts, testIds).values()) {
      shuffle(group, rng);
      int val = (int) Math.round(VALIDATION * group.size());
      ids.get(Split.VALIDATION).addAll(sorted(group.subList(0, val)));
      ids.get(Split.TRAIN).addAll(sorted(group.subList(val, group.size())));
    }
    for (PromptRecord r : prompts) {
      if (testIds.contains(r.id())) {
        ids.get(Split.TEST).add(r.id());
      }
    }
    return indices(prompts, ids);
  }

  private static Map<String, List<String>> bySource(List<PromptRecord> prompts, Set<String> exclude) {
    Map<String, List<String>> groups = new TreeMap<>();
    for (PromptRecord r : prompts) {
      if (!exclude.contains(r.id())) {
        groups.computeIfAbsent(r.source(), k -> new ArrayList<>()).add(r.id());
      }
    }
    groups.values().forEach(Collections::sort);
    return groups;
  }

  private static void shuffle(List<String> ids, Random rng) {
    Collections.shuffle(ids, rng);
  }

  private static List<String> sorted(List<String> ids) {
    List<String> s = new ArrayList<>(ids);
    Collections.sort(s);
    return s;
  }

  private static Map<Split, int[]> indices(List<PromptRecord> prompts, Map<Split, List<String>> ids) {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < prompts.size(); i++) {
      if (index.put(prompts.get(i).id(), i) != null) {
        throw new CarrotException("prompt id '" + prompts.get(i).id() + "' occurs twice; ids must be unique");
      }
    }
    Map<Split, int[]> out = new EnumMap<>(Split.class);
    for (Map.Entry<Split, List<String>> e : ids.entrySet()) {
      out.put(e.getKey(), e.getValue().stream().mapToInt(index::get).toArray());
    }
    return out;
  }
}
