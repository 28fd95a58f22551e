package io.carrot.embed;

import io.carrot.core.CarrotException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How a text longer than one model window is turned into windows to embed.
 *
 * <p>Every strategy gives exactly one window for a text that fits; they differ only for long
 * prompts, which is where routing quality is decided by what part of the prompt the vector sees.
 * When a strategy gives several windows, the text's vector is the renormalized mean of the
 * unit-length window vectors, so each window counts equally.
 */
public enum LongTextStrategy {
  /** The first window only, as the stock truncating tokenizer does. */
  HEAD("head"),
  /** The last window only: instructions often come after pasted context. */
  TAIL("tail"),
  /** The first and the last window (they may overlap), averaged. */
  HEAD_TAIL("head-tail"),
  /**
   * The whole text in near-equal windows, at most {@link #MAX_CHUNKS} of them (the first and last
   * halves are kept when there are more), averaged.
   */
  CHUNK_MEAN("chunk-mean"),
  /**
   * One window spliced from the first and the last half of the window budget: sees both the
   * opening instruction and the closing question, like HEAD_TAIL, at the cost of one model pass.
   */
  SPLICE("splice");

  /** Bound on the windows CHUNK_MEAN embeds, so a pasted book costs as much as 16 windows. */
  public static final int MAX_CHUNKS = 16;

  private final String id;

  LongTextStrategy(String id) {
    this.id = id;
  }

  /** Lower-case hyphenated name used in embedder ids and names, e.g. {@code head-tail}. */
  public String id() {
    return id;
  }

  /** Parses {@link #id()} (case-insensitive; underscores accepted for hyphens). */
  public static LongTextStrategy parse(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    for (LongTextStrategy s : values()) {
      if (s.id.equals(n)) {
        return s;
      }
    }
    throw new CarrotException(
        "long-text strategy: '" + name + "' is unknown; expected one of head, tail, head-tail, chunk-mean, splice");
  }

  /**
   * Cuts wordpiece ids (without [CLS]/[SEP]) into the windows this strategy embeds, each at most
   * {@code capacity} ids long. An empty text gives one empty window.
   */
  public List<int[]> windows(int[] ids, int capacity) {
    if (capacity < 1) {
      throw new CarrotException("window capacity: " + capacity + "; expected at least 1");
    }
    int len = ids.length;
    if (len <= capacity) {
      return List.of(ids);
    }
    return switch (this) {
      case HEAD -> List.of(Arrays.copyOfRange(ids, 0, capacity));
      case TAIL -> List.of(Arrays.copyOfRange(ids, len - capacity, len));
      case HEAD_TAIL ->
          List.of(Arrays.copyOfRange(ids, 0, capacity), Arrays.copyOfRange(ids, len - capacity, len));
      case CHUNK_MEAN -> chunks(ids, capacity);
      case SPLICE -> {
        int head = capacity / 2;
        int[] w = new int[capacity];
        System.arraycopy(ids, 0, w, 0, head);
        System.arraycopy(ids, len - (capacity - head), w, head, capacity - head);
        yield List.of(w);
      }
    };
  }

  /**
   * Near-equal chunks rather than full windows plus a remainder, so a short last chunk does not get
   * the same weight as a full one.
   */
  private static List<int[]> chunks(int[] ids, int capacity) {
    int len = ids.length;
    int n = (len + capacity - 1) / capacity;
    int base = len / n;
    int extra = len % n;
    List<int[]> all = new ArrayList<>(n);
    int from = 0;
    for (int i = 0; i < n; i++) {
      int size = base + (i < extra ? 1 : 0);
      all.add(Arrays.copyOfRange(ids, from, from + size));
      from += size;
    }
    if (n <= MAX_CHUNKS) {
      return all;
    }
    int head = MAX_CHUNKS / 2;
    List<int[]> kept = new ArrayList<>(all.subList(0, head));
    kept.addAll(all.subList(n - (MAX_CHUNKS - head), n));
    return kept;
  }
}
