package io.carrot.collect.run;

import io.carrot.core.CarrotException;

/**
 * The hard spend cap. Spend is what the checkpoint recorded from the APIs' reported usage (over
 * all runs of the collection); before each call the caller reserves that call's worst case
 * (prompt tokens with a margin plus {@code max_tokens} of output), and a call starts only if
 * recorded spend plus every open reservation stays within the cap. So the cap holds with calls in
 * flight, as long as providers bill within their own usage report and {@code max_tokens}.
 */
final class SpendMeter {
  private final double cap;
  private final Checkpoint checkpoint;
  private double reserved;

  SpendMeter(double capUsd, Checkpoint checkpoint) {
    if (!(capUsd > 0)) {
      throw new CarrotException("--max-spend must be a positive number of USD, got " + capUsd);
    }
    this.cap = capUsd;
    this.checkpoint = checkpoint;
  }

  /** Reserves {@code usd}; false (and nothing reserved) when that would cross the cap. */
  synchronized boolean tryReserve(double usd) {
    if (checkpoint.spent() + reserved + usd > cap) {
      return false;
    }
    reserved += usd;
    return true;
  }

  /** Gives a reservation back once the call's real cost is in the checkpoint (or it failed). */
  synchronized void release(double usd) {
    reserved = Math.max(0, reserved - usd);
  }

  double cap() {
    return cap;
  }
}
