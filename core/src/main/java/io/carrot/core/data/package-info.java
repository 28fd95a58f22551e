/** The routing dataset format: prompts with per-model scores, tokens and costs, prices, and splits. */
package io.carrot.core.data;
