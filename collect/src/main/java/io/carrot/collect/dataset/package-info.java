/**
 * Writing a dataset folder (prompts, prices, split, README with provenance) atomically, the seeded
 * split, and the README's reference numbers.
 */
package io.carrot.collect.dataset;
