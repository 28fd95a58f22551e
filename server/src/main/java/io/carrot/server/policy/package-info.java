/**
 * What a request's {@code model} field asks for ({@link io.carrot.server.policy.ModelSpec}) and how
 * it becomes a decision ({@link io.carrot.server.policy.RoutingPolicy}): the CARROT rule at a
 * {@code mu}, a per-request cost cap, or a quality floor.
 */
package io.carrot.server.policy;
