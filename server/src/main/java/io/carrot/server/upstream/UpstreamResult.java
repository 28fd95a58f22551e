package io.carrot.server.upstream;

import java.io.InputStream;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;

/** What one attempt at an upstream gave. */
public sealed interface UpstreamResult {
  /** Time from sending to the response headers (or the failure), in nanoseconds. */
  long nanos();

  /**
   * A failure worth trying the next candidate for: connect error, time-out, 429 or 5xx.
   *
   * @param reason metric label: {@code connect}, {@code timeout}, {@code http_429}, {@code http_5xx},
   *     {@code stream_broken}
   * @param detail for logs and the 502 message
   */
  record Failed(String reason, String detail, long nanos) implements UpstreamResult {}

  /** A complete response to pass on: a non-streamed answer, or an upstream's 4xx about the request. */
  record Answered(int status, HttpHeaders headers, byte[] body, long nanos) implements UpstreamResult {}

  /** A 2xx streamed response whose body has not been read yet. */
  record Streaming(HttpResponse<InputStream> response, long nanos) implements UpstreamResult {}
}
