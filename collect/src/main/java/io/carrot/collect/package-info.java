/**
 * Building routing datasets in carrot's format: collecting answers from OpenAI-compatible APIs and
 * grading them ({@link io.carrot.collect.run}), importing other public layouts
 * ({@link io.carrot.collect.imports}) and exporting to Parquet ({@link io.carrot.collect.parquet}).
 */
package io.carrot.collect;
