/** The {@link io.carrot.core.embed.Embedder} contract; implementations live in carrot-embed. */
package io.carrot.core.embed;
