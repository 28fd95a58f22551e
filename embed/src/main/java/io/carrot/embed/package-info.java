/**
 * Turning prompts into vectors and counting their tokens: the in-process ONNX sentence embedder
 * (all-MiniLM-L6-v2 with our own WordPiece tokenizer and explicit long-prompt strategies), an
 * OpenAI-compatible HTTP embedder, concatenations of embedders with cheap prompt features
 * ({@link io.carrot.embed.ConcatEmbedder}, {@link io.carrot.embed.PromptFeatures}), a persistent
 * embedding cache, and the cl100k_base token counter.
 * {@link io.carrot.embed.Embedders} maps user-facing names to embedders.
 */
package io.carrot.embed;
