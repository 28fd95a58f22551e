/**
 * Importers from other routing datasets' layouts (SPROUT parquet, RouterBench CSV, RouterDC JSON,
 * LLMRouter JSONL) into carrot's format. docs/collect.md lists the exact layouts accepted.
 */
package io.carrot.collect.imports;
