/**
 * The library API: {@link io.carrot.api.CarrotRouter} loads a router (or the shipped default),
 * recreates its embedder and routes prompts; helpers to embed whole datasets.
 */
package io.carrot.api;
