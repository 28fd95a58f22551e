/**
 * What a request's {@code model} field asks for ({@link io.carrot.server.policy.ModelSpec}) and how
 * it becomes a decision ({@link io.carrot.server.policy.RoutingPolicy}): the CARROT rule at a
 * {@code mu}, a budget paced over the client's stream ({@link io.carrot.server.policy.Pacers}), a
 * per-request cost ceiling, or a quality floor.
 */
package io.carrot.server.policy;
