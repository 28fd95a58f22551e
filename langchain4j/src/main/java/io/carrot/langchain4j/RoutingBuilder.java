package io.carrot.langchain4j;

import io.carrot.api.CarrotRouter;
import io.carrot.core.route.BudgetPacer;
import io.carrot.core.route.RouteOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The settings both routing models share: the router, the candidates by router model name, the
 * options or a pacer, and how many candidates to try. {@link RoutingChatModel.Builder} and
 * {@link RoutingStreamingChatModel.Builder} differ only in the candidates' type and what they build.
 *
 * @param <M> the candidates' type ({@code ChatModel} or {@code StreamingChatModel})
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class RoutingBuilder<M, B extends RoutingBuilder<M, B>> {
  private CarrotRouter router;
  private final Map<String, M> models = new LinkedHashMap<>();
  private RouteOptions options;
  private int maxAttempts = 3;
  private BudgetPacer pacer;

  RoutingBuilder() {}

  /** This builder as its own type (every subclass is declared as {@code X extends RoutingBuilder<M, X>}). */
  @SuppressWarnings("unchecked")
  final B self() {
    return (B) this;
  }

  /** The router that decides (required). */
  public B router(CarrotRouter router) {
    this.router = router;
    return self();
  }

  /** Adds a candidate: {@code name} must be one of the router's models. */
  public B model(String name, M model) {
    models.put(name, Objects.requireNonNull(model, "chat model for '" + name + "'"));
    return self();
  }

  /** Adds several candidates, keyed by router model name. */
  public B models(Map<String, ? extends M> named) {
    named.forEach(this::model);
    return self();
  }

  /** Routes at trade-off {@code mu} in [0, 1] with no other constraints; this or {@link #options} is required. */
  public B mu(double mu) {
    this.options = RouteOptions.mu(mu);
    return self();
  }

  /** Routes with every knob of {@link RouteOptions}. */
  public B options(RouteOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    return self();
  }

  /**
   * Routes with {@code pacer} ({@link CarrotRouter#pacer(double)}) instead of the options' mu, to
   * share one budget stream between several models (e.g. a blocking and a streaming one); options
   * may carry the pacer's own budget. Without it, options with a budget get a pacer of their own;
   * either way each answer's real cost is recorded in the pacer.
   */
  public B pacer(BudgetPacer pacer) {
    this.pacer = Objects.requireNonNull(pacer, "pacer");
    return self();
  }

  /** How many candidates to try, best first, before giving up (default 3, at least 1). */
  public B maxAttempts(int maxAttempts) {
    this.maxAttempts = maxAttempts;
    return self();
  }

  /**
   * The dispatch these settings describe.
   *
   * @throws io.carrot.core.CarrotException when the router or mu is missing, no model was added, a
   *     name is not one of the router's models, the options leave no model, or they set a budget
   *     other than the pacer's, or one that the router has no budget curve for
   */
  Dispatch<M> dispatch() {
    return new Dispatch<>(router, models, options, maxAttempts, pacer);
  }
}
