package io.carrot.server.upstream;

import io.carrot.core.CarrotException;
import java.time.Duration;

/**
 * The bounds of one upstream attempt ({@code timeouts} in the config).
 *
 * @param connect opening a connection
 * @param firstByte until the response headers arrive
 * @param idle the longest wait for the next bytes of a response body, streamed or not
 * @param total the whole attempt, from sending to the last byte; a stream still running then ends
 *     with an error
 */
public record Timeouts(Duration connect, Duration firstByte, Duration idle, Duration total) {
  public static final Duration DEFAULT_CONNECT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_FIRST_BYTE = Duration.ofSeconds(60);
  public static final Duration DEFAULT_IDLE = Duration.ofSeconds(60);
  public static final Duration DEFAULT_TOTAL = Duration.ofMinutes(10);

  public static final Timeouts DEFAULTS = new Timeouts(DEFAULT_CONNECT, DEFAULT_FIRST_BYTE, DEFAULT_IDLE, DEFAULT_TOTAL);

  public Timeouts {
    for (Duration d : new Duration[] {connect, firstByte, idle, total}) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new CarrotException("time-outs must be positive, got " + d);
      }
    }
  }

  /**
   * The longest an attempt waits before its first event reaches carrot: the headers, then one idle
   * gap, never past the total.
   */
  public Duration firstEventBound() {
    Duration d = firstByte.plus(idle);
    return d.compareTo(total) < 0 ? d : total;
  }
}
