/**
 * Batch routing and evaluation on Apache Spark: {@link io.carrot.spark.RouteJob} routes prompts
 * (or precomputed embeddings) at one or many mu values with a broadcast router; {@link
 * io.carrot.spark.EvalJob} computes a routing dataset's frontier and metrics, bit-identical to the
 * single-JVM {@link io.carrot.core.curve.RouterSweep}. {@link io.carrot.spark.SparkMain} is the
 * entry point for {@code spark-submit} and {@code carrot spark}.
 */
package io.carrot.spark;
