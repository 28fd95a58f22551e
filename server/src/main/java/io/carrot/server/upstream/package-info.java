/**
 * Calls to OpenAI-compatible upstreams ({@link io.carrot.server.upstream.UpstreamClient}, on
 * {@code java.net.http}), server-sent-event passthrough without buffering
 * ({@link io.carrot.server.upstream.SseRelay}), and the built-in echo upstream of the demo.
 */
package io.carrot.server.upstream;
