package io.carrot.core;

/**
 * The one unchecked exception root of the project.
 *
 * <p>Messages are written for a user: they name the parameter or file, the offending value and what
 * was expected. {@link #retryable()} says whether repeating the same call may succeed (a network
 * time-out, a rate limit) or not (bad input, a corrupt file).
 */
public class CarrotException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  /** Whether repeating the call may succeed. */
  private final boolean retryable;

  /** A non-retryable failure with a message for the user. */
  public CarrotException(String message) {
    this(message, null, false);
  }

  /** A non-retryable failure caused by {@code cause}. */
  public CarrotException(String message, Throwable cause) {
    this(message, cause, false);
  }

  /** A failure that may be worth retrying when {@code retryable} is true. */
  public CarrotException(String message, Throwable cause, boolean retryable) {
    super(message, cause);
    this.retryable = retryable;
  }

  /** True when the same call may succeed if repeated later (time-outs, rate limits, 5xx). */
  public boolean retryable() {
    return retryable;
  }
}
