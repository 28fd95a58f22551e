/**
 * The OpenAI-compatible routing proxy: {@link io.carrot.server.CarrotServer} wires the HTTP layer
 * (Javalin on virtual threads), the router, the upstreams, client keys and budgets, the decision
 * log and the metrics. A chat completion flows prompt -> embedding -> predictions -> decision ->
 * upstream (with fallbacks) -> response, and is logged.
 */
package io.carrot.server;
