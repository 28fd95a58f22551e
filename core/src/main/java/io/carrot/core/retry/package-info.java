/**
 * The project's one retry rule for HTTP calls to model APIs: which statuses are worth repeating,
 * how {@code Retry-After} is read, and how long to wait ({@link io.carrot.core.retry.RetryPolicy}).
 * The server's fallback, {@code collect} and the OpenAI embedder all use it.
 */
package io.carrot.core.retry;
