package io.carrot.core.route;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The quality-floor knob ({@code --min-quality Q}): the cheapest candidate whose predicted quality
 * is at least {@code Q}; when none is, the one with the best predicted quality. Defined once here
 * for the library, the server and the evaluation harness.
 *
 * <p>Order: candidates that clear the floor by predicted cost (ties: higher quality, then name),
 * then the others by predicted quality (ties: lower cost, then name). The first is the choice; the
 * rest are the fallbacks in order.
 */
public final class QualityFloor {
  /**
   * Cheapest first (ties: higher quality, then name): the floor's order at floor 0, which every
   * candidate clears. The one cheapest-first order of the project.
   */
  public static final Comparator<Candidate> CHEAPEST_FIRST = order(0);

  private QualityFloor() {}

  /** The ordering of candidates under {@code floor} (see the class comment). */
  public static Comparator<Candidate> order(double floor) {
    return (a, b) -> compare(floor, a.quality(), a.costUsd(), a.model(), b.quality(), b.costUsd(), b.model());
  }

  /** {@code candidates} in the floor's order; the first is the choice. */
  public static List<Candidate> sort(List<Candidate> candidates, double floor) {
    List<Candidate> out = new ArrayList<>(candidates);
    out.sort(order(floor));
    return out;
  }

  /** True when some candidate's predicted quality clears {@code floor}. */
  public static boolean cleared(List<Candidate> candidates, double floor) {
    return candidates.stream().anyMatch(c -> c.quality() >= floor);
  }

  /**
   * Index of the chosen model for precomputed per-model predicted quality and cost (the evaluation
   * fast path; the same order as {@link #order(double)}).
   */
  public static int choose(double floor, double[] quality, double[] cost, List<String> names) {
    int best = 0;
    for (int m = 1; m < quality.length; m++) {
      if (compare(floor, quality[m], cost[m], names.get(m), quality[best], cost[best], names.get(best)) < 0) {
        best = m;
      }
    }
    return best;
  }

  private static int compare(double floor, double qa, double ca, String na, double qb, double cb, String nb) {
    boolean a = qa >= floor;
    boolean b = qb >= floor;
    if (a != b) {
      return a ? -1 : 1;
    }
    int c = a ? Double.compare(ca, cb) : Double.compare(qb, qa);
    if (c == 0) {
      c = a ? Double.compare(qb, qa) : Double.compare(ca, cb);
    }
    return c != 0 ? c : na.compareTo(nb);
  }
}
