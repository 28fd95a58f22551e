/**
 * Client API keys (kept only as SHA-256 hashes) and per-key daily spend budgets with the policy
 * for nearing them: raise mu, then refuse with 429.
 */
package io.carrot.server.auth;
