package io.carrot.server.upstream;

import io.carrot.core.data.ModelPrice;
import java.util.Set;

/**
 * A resolved upstream.
 *
 * @param name the name the router and clients use
 * @param baseUrl OpenAI-compatible base URL without a trailing slash; may start with
 *     {@code {self}} for the server's own address
 * @param apiKey bearer key sent upstream, or null
 * @param model the upstream's own model id
 * @param price what its tokens cost
 * @param injectStreamUsage ask for a usage chunk on streams
 * @param serves the APIs it answers
 */
public record Upstream(
    String name, String baseUrl, String apiKey, String model, ModelPrice price, boolean injectStreamUsage, Set<Api> serves) {
  public Upstream {
    serves = Set.copyOf(serves);
  }

  @Override
  public String toString() {
    // never print the key
    return "Upstream[" + name + " -> " + baseUrl + " model " + model + "]";
  }
}
