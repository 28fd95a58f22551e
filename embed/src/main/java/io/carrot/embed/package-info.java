/**
 * Turning prompts into vectors and counting their tokens: the in-process ONNX sentence embedder
 * (all-MiniLM-L6-v2 with our own WordPiece tokenizer and explicit long-prompt strategies), an
 * OpenAI-compatible HTTP embedder, a persistent embedding cache, and the cl100k_base token counter.
 * {@link io.carrot.embed.Embedders} maps user-facing names to embedders.
 */
package io.carrot.embed;
