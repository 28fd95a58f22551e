package io.carrot.collect.llm;

import io.carrot.core.CarrotException;

/** A chat call that failed for good, with the HTTP status of the last attempt (0: no response). */
public final class ChatException extends CarrotException {
  private static final long serialVersionUID = 1L;
  private final int status;

  public ChatException(String message, Throwable cause, boolean retryable, int status) {
    super(message, cause, retryable);
    this.status = status;
  }

  public int status() {
    return status;
  }

  /**
   * True when every call to this upstream or model will fail the same way (bad key, no access,
   * unknown model), so a collection should stop rather than fail call after call.
   */
  public boolean fatal() {
    return status == 401 || status == 403 || status == 404;
  }
}
