/**
 * The collection run: models.yaml, the prompt file, the cost estimate and spend cap, the
 * append-only checkpoint that makes a run resumable, and assembling the dataset from it.
 */
package io.carrot.collect.run;
