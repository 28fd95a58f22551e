package io.carrot.core.metrics;

/**
 * One operating point of a router: mean cost per prompt (USD) and mean quality.
 *
 * @param param the knob that produced it (mu, a threshold, or NaN for a fixed point)
 */
public record Point(double param, double cost, double quality) {}
