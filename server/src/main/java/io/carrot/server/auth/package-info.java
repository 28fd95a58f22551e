/**
 * Client API keys (kept only as SHA-256 hashes), per-key concurrency limits and per-key daily
 * spend budgets: each request's prediction reserved at admission and settled with its real cost,
 * and the policy for nearing a budget: raise mu, then refuse with 429.
 */
package io.carrot.server.auth;
