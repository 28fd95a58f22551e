package io.carrot.core.route;

/**
 * One model's predicted outcome for a prompt and its CARROT score.
 *
 * @param model model name
 * @param quality predicted quality in [0, 1]
 * @param outputTokens predicted output tokens
 * @param costUsd predicted cost: input tokens x input price + predicted output tokens x output price
 * @param score {@code (1 - mu) * quality - mu * costScale * costUsd}
 */
public record Candidate(String model, double quality, double outputTokens, double costUsd, double score) {}
