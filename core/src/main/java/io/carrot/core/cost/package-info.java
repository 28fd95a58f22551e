/** Counting input tokens at route time; prices live in {@link io.carrot.core.data.PriceTable}. */
package io.carrot.core.cost;
