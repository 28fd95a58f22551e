package io.carrot.server.upstream;

import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** What one attempt at an upstream gave. */
public sealed interface UpstreamResult {
  /** Time from sending to the response headers (or the failure), in nanoseconds. */
  long nanos();

  /** Why an attempt failed; {@link #code()} is the metric label and the 502 body's {@code reason}. */
  enum Reason {
    /** Refused, reset or unreachable before the response headers. */
    CONNECT("connect"),
    /** No response headers within {@code first_byte_ms}, or no body byte within {@code idle_ms}, or past {@code total_ms}. */
    TIMEOUT("timeout"),
    /** 429. */
    RATE_LIMITED("http_429"),
    /** Another status {@link io.carrot.core.retry.RetryPolicy#retryable(int)} calls retryable (5xx, 408, 409, 425). */
    RETRYABLE_STATUS("http_5xx"),
    /** 401 or 403: the operator's own key for that upstream is wrong or lacks access. */
    UPSTREAM_AUTH("upstream_auth"),
    /** A stream that broke or stalled (before its first event, when it is a failed attempt). */
    STREAM_BROKEN("stream_broken"),
    /** The client closed its connection; nothing further is tried. */
    CLIENT_GONE("client_gone");

    private final String code;

    Reason(String code) {
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  /**
   * A failure worth trying the next candidate for (except {@link Reason#CLIENT_GONE}).
   *
   * @param status the upstream's HTTP status, or 0 when there was none
   * @param detail for the server log and the decision log; never the upstream's body
   * @param retryAfter the wait the upstream asked for ({@code Retry-After}), if any
   */
  record Failed(Reason reason, int status, String detail, Optional<Duration> retryAfter, long nanos) implements UpstreamResult {
    public Failed(Reason reason, String detail, long nanos) {
      this(reason, 0, detail, Optional.empty(), nanos);
    }
  }

  /** A complete response to pass on: a non-streamed answer, or an upstream's 4xx about the request. */
  record Answered(int status, HttpHeaders headers, byte[] body, long nanos) implements UpstreamResult {}

  /** A 2xx streamed response whose body ({@code body}, with the attempt's deadlines) has not been read yet. */
  record Streaming(HttpResponse<?> response, GuardedInput body, long nanos) implements UpstreamResult {}
}
