package io.carrot.server.policy;

import io.carrot.core.route.Decision;

/**
 * A decision and how it was reached.
 *
 * @param decision candidates in the order they are tried: the chosen one first, then the
 *     fallbacks
 * @param policy {@code mu}, {@code budget} or {@code min-quality}
 * @param constraintMet false when a budget cap or quality floor could not be met by any candidate
 *     (the decision then holds the closest candidate)
 */
public record Routed(Decision decision, String policy, boolean constraintMet) {}
