/**
 * The decision log: every request's key, prompt hash, decision, predicted and actual tokens and
 * cost, latency, status and fallbacks, plus users' quality grades, in SQLite (default) or
 * PostgreSQL with versioned schema migrations; and the export of graded traffic as a routing
 * dataset.
 */
package io.carrot.server.log;
