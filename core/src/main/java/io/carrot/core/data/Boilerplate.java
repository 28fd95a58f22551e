package io.carrot.core.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The lines a source's prompts share, such as a benchmark's answer-format instructions or the
 * few-shot examples in front of every question, and prompts without them.
 *
 * <p>Benchmark prompts carry templates that real traffic does not: every ZeroEval prompt ends in the
 * same JSON answer instructions, every ARC prompt of RouterBench starts with the same 25 examples.
 * Embedded with the template, the training prompts sit close to each other and far from a user's
 * bare question, so a router trained on them finds no support for the traffic it is meant for.
 * Stripping a source's shared lines before embedding leaves what differs from prompt to prompt: the
 * question.
 *
 * <p>The rule, fixed and not fitted to any dataset: a line (compared with surrounding white space
 * removed; blank lines ignored) is boilerplate of a source when it occurs in more than half of that
 * source's prompts. Prompts without a source form one group. A prompt that would be left empty
 * keeps its text.
 */
public final class Boilerplate {
  /** What {@link #strip(Dataset)} records in a router's provenance. */
  public static final String PROVENANCE =
      "lines shared by more than half of a source's prompts removed before embedding (Boilerplate)";

  /** The key of a router's provenance extras under which {@link #PROVENANCE} is recorded. */
  public static final String PROVENANCE_KEY = "prompts";

  private Boilerplate() {}

  /** Whether a router whose provenance extras are {@code extra} was trained on stripped prompts. */
  public static boolean recordedIn(Map<String, String> extra) {
    return PROVENANCE.equals(extra.get(PROVENANCE_KEY));
  }

  /** {@code d} with every prompt's boilerplate lines removed; ids, scores, tokens and split unchanged. */
  public static Dataset strip(Dataset d) {
    Map<String, Set<String>> lines = lines(d.prompts());
    List<PromptRecord> out = new ArrayList<>(d.prompts().size());
    for (PromptRecord r : d.prompts()) {
      String text = strip(r.prompt(), lines.getOrDefault(key(r), Set.of()));
      out.add(new PromptRecord(r.id(), text, r.source(), r.scores(), r.inputTokens(), r.outputTokens(), r.cost()));
    }
    return new Dataset(d.name(), d.sha256(), d.models(), d.prices(), out, d.split());
  }

  /** Each source's boilerplate lines (stripped of surrounding white space). */
  public static Map<String, Set<String>> lines(List<PromptRecord> prompts) {
    Map<String, Map<String, Integer>> counts = new HashMap<>();
    Map<String, Integer> sizes = new HashMap<>();
    for (PromptRecord r : prompts) {
      String s = key(r);
      sizes.merge(s, 1, Integer::sum);
      Map<String, Integer> c = counts.computeIfAbsent(s, x -> new HashMap<>());
      for (String line : distinctLines(r.prompt())) {
        c.merge(line, 1, Integer::sum);
      }
    }
    Map<String, Set<String>> out = new HashMap<>();
    counts.forEach((s, c) -> {
      Set<String> shared = new HashSet<>();
      int n = sizes.get(s);
      c.forEach((line, k) -> {
        if (2L * k > n) {
          shared.add(line);
        }
      });
      out.put(s, shared);
    });
    return out;
  }

  /** {@code prompt} without the lines in {@code boilerplate}, trimmed; the prompt itself if nothing would be left. */
  public static String strip(String prompt, Set<String> boilerplate) {
    if (boilerplate.isEmpty()) {
      return prompt;
    }
    StringBuilder sb = new StringBuilder(prompt.length());
    for (String line : prompt.split("\n", -1)) {
      if (!boilerplate.contains(line.strip())) {
        sb.append(line).append('\n');
      }
    }
    String s = sb.toString().strip();
    return s.isEmpty() ? prompt : s;
  }

  private static Set<String> distinctLines(String prompt) {
    Set<String> out = new HashSet<>();
    for (String line : prompt.split("\n", -1)) {
      String t = line.strip();
      if (!t.isEmpty()) {
        out.add(t);
      }
    }
    return out;
  }

  private static String key(PromptRecord r) {
    return r.source() == null ? "" : r.source();
  }
}
