package io.carrot.server.auth;

/**
 * An authenticated caller.
 *
 * @param id the key's name from the config ({@code anonymous} when authentication is off)
 * @param dailyBudgetUsd spend allowed per UTC day, or null for no limit
 * @param maxConcurrent requests it may have running at once on one instance, or null for no limit
 */
public record Client(String id, Double dailyBudgetUsd, Integer maxConcurrent) {
  public static final Client ANONYMOUS = new Client("anonymous", null, null);

  /** Without a concurrency limit. */
  public Client(String id, Double dailyBudgetUsd) {
    this(id, dailyBudgetUsd, null);
  }
}
