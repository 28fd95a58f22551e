package io.carrot.server.upstream;

import io.carrot.server.ServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * Sends chat completions to upstreams over one shared {@link HttpClient} (HTTP/1.1, pooled
 * connections). Never throws for upstream trouble: it returns a {@link UpstreamResult} saying
 * whether to fall back.
 */
public final class UpstreamClient implements AutoCloseable {
  private final HttpClient http;
  private final Duration firstByteTimeout;
  private volatile String self = "http://127.0.0.1";

  public UpstreamClient(Duration connectTimeout, Duration firstByteTimeout) {
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(connectTimeout)
        .executor(Executors.newVirtualThreadPerTaskExecutor())
        .build();
    this.firstByteTimeout = firstByteTimeout;
  }

  /** The server's own base address, substituted for {@code {self}} in base URLs. */
  public void self(String base) {
    this.self = base;
  }

  URI chatUri(Upstream u) {
    String base = u.baseUrl().startsWith(ServerConfig.SELF) ? self + u.baseUrl().substring(ServerConfig.SELF.length()) : u.baseUrl();
    return URI.create(base + "/chat/completions");
  }

  /** One attempt: POSTs {@code body} to the upstream's {@code /chat/completions}. */
  public UpstreamResult send(Upstream u, byte[] body, boolean stream) {
    HttpRequest.Builder b = HttpRequest.newBuilder(chatUri(u))
        .timeout(firstByteTimeout)
        .header("Content-Type", "application/json")
        .header("Accept", stream ? "text/event-stream" : "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (u.apiKey() != null) {
      b.header("Authorization", "Bearer " + u.apiKey());
    }
    HttpRequest req = b.build();
    long t0 = System.nanoTime();
    try {
      if (!stream) {
        HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        long t = System.nanoTime() - t0;
        if (retryable(r.statusCode())) {
          return new UpstreamResult.Failed(reason(r.statusCode()), "HTTP " + r.statusCode() + errorSnippet(r.body()), t);
        }
        return new UpstreamResult.Answered(r.statusCode(), r.headers(), r.body(), t);
      }
      HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
      long t = System.nanoTime() - t0;
      if (r.statusCode() / 100 == 2) {
        return new UpstreamResult.Streaming(r, t);
      }
      byte[] err;
      try (InputStream in = r.body()) {
        err = in.readNBytes(1 << 20);
      }
      if (retryable(r.statusCode())) {
        return new UpstreamResult.Failed(reason(r.statusCode()), "HTTP " + r.statusCode() + errorSnippet(err), t);
      }
      return new UpstreamResult.Answered(r.statusCode(), r.headers(), err, t);
    } catch (HttpConnectTimeoutException e) {
      return new UpstreamResult.Failed("connect", "connect time-out", System.nanoTime() - t0);
    } catch (HttpTimeoutException e) {
      return new UpstreamResult.Failed(
          "timeout", "no response within " + firstByteTimeout.toMillis() + " ms", System.nanoTime() - t0);
    } catch (ConnectException e) {
      return new UpstreamResult.Failed("connect", "cannot connect: " + e, System.nanoTime() - t0);
    } catch (IOException e) {
      return new UpstreamResult.Failed("connect", "connection failed: " + e, System.nanoTime() - t0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new UpstreamResult.Failed("connect", "interrupted", System.nanoTime() - t0);
    }
  }

  static boolean retryable(int status) {
    return status == 429 || status >= 500;
  }

  private static String reason(int status) {
    return status == 429 ? "http_429" : "http_5xx";
  }

  private static String errorSnippet(byte[] body) {
    if (body == null || body.length == 0) {
      return "";
    }
    String s = new String(body, 0, Math.min(body.length, 200), java.nio.charset.StandardCharsets.UTF_8).replaceAll("\\s+", " ");
    return " " + s;
  }

  @Override
  public void close() {
    http.shutdownNow();
  }
}
