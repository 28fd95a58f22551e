/**
 * Calling OpenAI-compatible chat completion APIs: retries with backoff on 429/5xx, per-upstream
 * concurrency and request-rate limits.
 */
package io.carrot.collect.llm;
