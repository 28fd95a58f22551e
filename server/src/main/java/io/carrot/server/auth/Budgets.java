package io.carrot.server.auth;

import io.carrot.server.ApiError;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Per-key spend per UTC day and the policy for nearing a key's daily budget {@code B}:
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
 * <p>Spend is what the upstreams' reported usage costs at the configured prices (the predicted
 * cost when an upstream reports no usage), added when a request finishes; requests running at the
 * same time can therefore overshoot the budget by their own cost. Totals are rebuilt from the
 * decision log at start, so a restart forgets nothing.
 */
public final class Budgets {
  private final Clock clock;
  private final double raiseFrom;
  private final Map<String, DoubleAdder> spent = new ConcurrentHashMap<>();
  private volatile LocalDate day;

  public Budgets(Clock clock, double raiseFrom, Map<String, Double> spentToday) {
    if (!(raiseFrom >= 0 && raiseFrom <= 1)) {
      throw new IllegalArgumentException("raise_mu_from must be in [0, 1], got " + raiseFrom);
    }
    this.clock = clock;
    this.raiseFrom = raiseFrom;
    this.day = today();
    spentToday.forEach((k, v) -> spent.computeIfAbsent(k, x -> new DoubleAdder()).add(v));
  }

  /** The current UTC day. */
  public LocalDate today() {
    return LocalDate.now(clock.withZone(ZoneOffset.UTC));
  }

  private DoubleAdder cell(String keyId) {
    LocalDate now = today();
    if (!now.equals(day)) {
      synchronized (this) {
        if (!now.equals(day)) {
          spent.clear();
          day = now;
        }
      }
    }
    return spent.computeIfAbsent(keyId, x -> new DoubleAdder());
  }

  /** USD spent by the key today. */
  public double spent(String keyId) {
    return cell(keyId).sum();
  }

  /** Adds a finished request's cost. */
  public void charge(String keyId, double usd) {
    if (usd > 0) {
      cell(keyId).add(usd);
    }
  }

  /** Refuses with 429 when the client has used up its budget. */
  public void check(Client c) {
    if (c.dailyBudgetUsd() != null) {
      double s = spent(c.id());
      if (s >= c.dailyBudgetUsd()) {
        throw ApiError.budgetExceeded(c.id(), c.dailyBudgetUsd(), s);
      }
    }
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
