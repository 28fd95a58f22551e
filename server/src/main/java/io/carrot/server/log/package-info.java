/**
 * The decision log: every request's key, prompt hash, decision, predicted and actual tokens and
 * cost, latency, status and fallbacks, plus users' quality grades, in SQLite (default) or
 * PostgreSQL with versioned schema migrations; written by a group-committing writer that never
 * blocks (byte-bounded queue, dead-letter file); the shared per-key-and-day spend counter of
 * budgets; retention purges; and the export of graded traffic as a routing dataset.
 */
package io.carrot.server.log;
