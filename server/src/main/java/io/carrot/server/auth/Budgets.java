package io.carrot.server.auth;

import io.carrot.core.CarrotException;
import io.carrot.server.ApiError;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-key spend per UTC day, reserved at admission and settled at the end, and the policy for
 * nearing a key's daily budget {@code B}:
 *
 * <ul>
 *   <li>below {@code raiseFrom * B} (default 80%): requests are routed at the mu they ask for;</li>
 *   <li>from {@code raiseFrom * B} to {@code B}: mu is raised linearly towards 1,
 *       {@code mu' = mu + (1 - mu) * (spent / B - raiseFrom) / (1 - raiseFrom)}, so the router picks
 *       ever cheaper models as the budget runs out;</li>
 *   <li>at or above {@code B}: requests are refused with 429 {@code daily_budget_exceeded} until
 *       00:00 UTC.</li>
 * </ul>
 *
 * <p>A key's <em>committed</em> spend is what its finished requests cost plus the predicted cost of
 * its running ones. {@link #reserve} adds a request's prediction to it and admits the request only
 * when the total before was below {@code B}; {@link Reservation#settle} replaces the prediction by
 * the real cost. So requests running at once cannot take a key past its budget by more than one
 * request's prediction (plus what real costs exceed their predictions by). For keys with a budget
 * the counter lives in the {@link Ledger}, one atomic row per key and day in the database, shared
 * by every instance on it; when the ledger cannot be reached an instance goes on counting on its
 * own and hands the difference over at the next success.
 */
public final class Budgets {
  private static final Logger LOG = LoggerFactory.getLogger(Budgets.class);

  /** The shared counter of committed spend per key and UTC day. */
  public interface Ledger {
    /** Adds {@code usd} (negative to give back) atomically; returns the new total. */
    double add(String keyId, LocalDate day, double usd);

    /** The current total (0 when there is none). */
    double get(String keyId, LocalDate day);
  }

  /** A ledger that lives in this instance's memory only. */
  public static Ledger inMemory() {
    Map<String, Double> m = new ConcurrentHashMap<>();
    return new Ledger() {
      @Override
      public double add(String keyId, LocalDate day, double usd) {
        return m.merge(keyId + '\n' + day, usd, Double::sum);
      }

      @Override
      public double get(String keyId, LocalDate day) {
        return m.getOrDefault(keyId + '\n' + day, 0.0);
      }
    };
  }

  private final Clock clock;
  private final double raiseFrom;
  private final Ledger ledger;
  /** The last committed total seen per key and day (for pressure and the quick check). */
  private final Map<String, Double> known = new ConcurrentHashMap<>();
  /** Amounts the ledger did not take (it could not be reached), per key and day. */
  private final Map<String, Double> unsynced = new ConcurrentHashMap<>();
  private final Map<String, Semaphore> running = new ConcurrentHashMap<>();
  private volatile String ledgerError;

  public Budgets(Clock clock, double raiseFrom, Ledger ledger) {
    if (!(raiseFrom >= 0 && raiseFrom <= 1)) {
      throw new CarrotException("budget_policy.raise_mu_from must be in [0, 1], got " + raiseFrom);
    }
    this.clock = clock;
    this.raiseFrom = raiseFrom;
    this.ledger = ledger;
  }

  /** The current UTC day. */
  public LocalDate today() {
    return LocalDate.now(clock.withZone(ZoneOffset.UTC));
  }

  private static String cell(String keyId, LocalDate day) {
    return keyId + '\n' + day;
  }

  /**
   * USD committed by the key today: finished requests plus the predictions of running ones, as this
   * instance last saw it (other instances' requests since are not in it).
   */
  public double spent(String keyId) {
    LocalDate day = today();
    Double v = known.get(cell(keyId, day));
    if (v != null) {
      return v;
    }
    try {
      double total = ledger.get(keyId, day);
      known.putIfAbsent(cell(keyId, day), total);
      return total;
    } catch (CarrotException e) {
      failed(e);
      return 0;
    }
  }

  /** Adds to the committed spend of a budgeted key through the ledger (or locally while it fails). */
  private double add(String keyId, LocalDate day, double usd) {
    String k = cell(keyId, day);
    Double pending = unsynced.remove(k);
    double delta = usd + (pending == null ? 0 : pending);
    try {
      double total = ledger.add(keyId, day, delta);
      known.put(k, total);
      ledgerError = null;
      return total;
    } catch (CarrotException e) {
      failed(e);
      unsynced.merge(k, delta, Double::sum);
      return known.merge(k, usd, Double::sum);
    }
  }

  private void failed(CarrotException e) {
    if (ledgerError == null) {
      LOG.warn("budget ledger unavailable, counting spend on this instance until it is back: {}", e.getMessage());
    }
    ledgerError = e.getMessage();
  }

  /** Why budgets are not shared right now; empty when they are. */
  public List<String> health() {
    String e = ledgerError;
    List<String> out = new ArrayList<>();
    if (e != null) {
      out.add("budget ledger unavailable (spend counted per instance): " + e);
    }
    return out;
  }

  /**
   * Refuses with 429 when the client has used up its budget (a quick check before routing). The
   * last total seen is a hint: concurrent updates may leave it above the ledger's, so a refusal is
   * confirmed with the ledger first.
   */
  public void check(Client c) {
    if (c.dailyBudgetUsd() != null && spent(c.id()) >= c.dailyBudgetUsd()) {
      LocalDate day = today();
      double s;
      try {
        s = ledger.get(c.id(), day) + unsynced.getOrDefault(cell(c.id(), day), 0.0);
        known.put(cell(c.id(), day), s);
      } catch (CarrotException e) {
        failed(e);
        s = spent(c.id());
      }
      if (s >= c.dailyBudgetUsd()) {
        throw ApiError.budgetExceeded(c.id(), c.dailyBudgetUsd(), s);
      }
    }
  }

  /**
   * Admits a request predicted to cost {@code usd}: adds the prediction to the key's committed spend
   * and refuses (429, giving it back) when the total before it had reached the budget.
   */
  public Reservation reserve(Client c, double usd) {
    double amount = Double.isFinite(usd) && usd > 0 ? usd : 0;
    LocalDate day = today();
    if (c.dailyBudgetUsd() == null) {
      return new Reservation(c.id(), day, false, 0);
    }
    double total = add(c.id(), day, amount);
    double before = total - amount;
    if (before >= c.dailyBudgetUsd()) {
      add(c.id(), day, -amount);
      throw ApiError.budgetExceeded(c.id(), c.dailyBudgetUsd(), before);
    }
    return new Reservation(c.id(), day, true, amount);
  }

  /** A request's predicted cost held against its key's budget until it ends. */
  public final class Reservation {
    private final String keyId;
    private final LocalDate day;
    private final boolean budgeted;
    private double held;
    private boolean settled;

    private Reservation(String keyId, LocalDate day, boolean budgeted, double held) {
      this.keyId = keyId;
      this.day = day;
      this.budgeted = budgeted;
      this.held = held;
    }

    /** The prediction held now. */
    public synchronized double held() {
      return held;
    }

    /** Holds another prediction instead (a fallback to another model); already admitted, so never refused. */
    public synchronized void adjust(double usd) {
      double amount = Double.isFinite(usd) && usd > 0 ? usd : 0;
      if (settled || amount == held) {
        return;
      }
      if (budgeted) {
        add(keyId, day, amount - held);
      }
      held = amount;
    }

    /** Replaces the prediction by the real cost; later calls do nothing. */
    public synchronized void settle(double usd) {
      if (settled) {
        return;
      }
      settled = true;
      double amount = Double.isFinite(usd) && usd > 0 ? usd : 0;
      if (budgeted) {
        if (amount != held) {
          add(keyId, day, amount - held);
        }
      } else {
        known.merge(cell(keyId, day), amount, Double::sum);
      }
    }

    public synchronized boolean settled() {
      return settled;
    }
  }

  /**
   * Takes one of the client's concurrent-request slots (its {@code max_concurrent}); 429 when all
   * are taken. Close the slot when the request ends.
   */
  public Slot admit(Client c) {
    if (c.maxConcurrent() == null) {
      return () -> {};
    }
    Semaphore s = running.computeIfAbsent(c.id(), k -> new Semaphore(c.maxConcurrent()));
    if (!s.tryAcquire()) {
      throw ApiError.tooManyConcurrent(c.id(), c.maxConcurrent());
    }
    return s::release;
  }

  /** A taken concurrency slot. */
  @FunctionalInterface
  public interface Slot extends AutoCloseable {
    @Override
    void close();
  }

  /** The mu to route at for a client asking for {@code mu} (see the class comment). */
  public double pressure(Client c, double mu) {
    if (c.dailyBudgetUsd() == null) {
      return mu;
    }
    double share = spent(c.id()) / c.dailyBudgetUsd();
    if (share <= raiseFrom) {
      return mu;
    }
    double t = raiseFrom >= 1 ? 1 : Math.min(1, (share - raiseFrom) / (1 - raiseFrom));
    return mu + (1 - mu) * t;
  }

  /** USD left today, or null for a client without a budget. */
  public Double remaining(Client c) {
    return c.dailyBudgetUsd() == null ? null : Math.max(0, c.dailyBudgetUsd() - spent(c.id()));
  }
}
