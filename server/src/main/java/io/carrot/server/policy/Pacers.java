package io.carrot.server.policy;

import io.carrot.core.route.BudgetCurve;
import io.carrot.core.route.BudgetPacer;
import io.carrot.server.ApiError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link BudgetPacer} of every stream of {@code carrot:budget=B} requests: one per (API key,
 * {@code B}); clients without a key (authentication off) share one per {@code B}.
 *
 * <p>Bounded: key ids come from the configuration, and each key keeps its {@value #MAX_BUDGETS_PER_KEY}
 * most recently used budgets; a budget used less recently is forgotten (its stream starts afresh
 * if it comes back), so a client cycling through budget values costs a bounded amount of memory
 * and never evicts another key's streams. Pacers live in memory: a restart starts every stream
 * afresh. Thread-safe.
 */
public final class Pacers {
  /** Budgets remembered per API key. */
  public static final int MAX_BUDGETS_PER_KEY = 32;

  /** One stream: who, at which budget, and its pacer. */
  public record Stream(String keyId, double usdPer1000, BudgetPacer pacer) {}

  private final BudgetCurve curve;
  private final String missing;
  private final Map<String, Map<Double, BudgetPacer>> byKey = new ConcurrentHashMap<>();

  private Pacers(BudgetCurve curve, String missing) {
    this.curve = curve;
    this.missing = missing;
  }

  /** Pacers over the router's budget curve. */
  public static Pacers over(BudgetCurve curve) {
    return new Pacers(curve, null);
  }

  /** No budget curve: every {@code carrot:budget} is refused with {@code why}. */
  public static Pacers none(String why) {
    return new Pacers(null, why);
  }

  /** Whether budgets can be paced (the router has a budget curve). */
  public boolean available() {
    return curve != null;
  }

  /**
   * The pacer of the key's stream at {@code usdPer1000}, made on first use.
   *
   * @throws ApiError 400 when the router has no budget curve
   */
  public BudgetPacer get(String keyId, double usdPer1000) {
    if (curve == null) {
      throw ApiError.badRequest("model", missing);
    }
    Map<Double, BudgetPacer> mine = byKey.computeIfAbsent(keyId, k -> new Lru());
    synchronized (mine) {
      return mine.computeIfAbsent(usdPer1000, b -> new BudgetPacer(curve, b));
    }
  }

  /** Every stream remembered, for metrics. */
  public List<Stream> streams() {
    List<Stream> out = new ArrayList<>();
    byKey.forEach((key, mine) -> {
      synchronized (mine) {
        mine.forEach((b, p) -> out.add(new Stream(key, b, p)));
      }
    });
    return out;
  }

  /** Budgets of one key, least recently used first, the eldest dropped beyond the limit. */
  private static final class Lru extends LinkedHashMap<Double, BudgetPacer> {
    private static final long serialVersionUID = 1L;

    Lru() {
      super(16, 0.75f, true);
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<Double, BudgetPacer> eldest) {
      return size() > MAX_BUDGETS_PER_KEY;
    }
  }
}
