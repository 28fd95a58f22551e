package io.carrot.langchain4j;

import io.carrot.api.CarrotRouter;
import io.carrot.core.route.BudgetPacer;
import io.carrot.core.route.RouteOptions;
import java.util.Map;
import java.util.Optional;

/**
 * What the blocking and the streaming routing models share: the router that decides, the named
 * models it routes to, the options and the budget's pacer.
 *
 * @param <M> the LangChain4j model type routed to
 */
public abstract sealed class RoutedModel<M> permits RoutingChatModel, RoutingStreamingChatModel {
  final Dispatch<M> dispatch;

  RoutedModel(Dispatch<M> dispatch) {
    this.dispatch = dispatch;
  }

  /** The router that decides. */
  public CarrotRouter router() {
    return dispatch.router();
  }

  /** The named models routed to, in the order they were added. */
  public Map<String, M> models() {
    return dispatch.models();
  }

  /** The options every request is routed with (allow restricted to the named models; a budget becomes {@link #pacer()}). */
  public RouteOptions options() {
    return dispatch.options();
  }

  /** The pacer that holds the requests to a budget, when one was set. */
  public Optional<BudgetPacer> pacer() {
    return Optional.ofNullable(dispatch.pacer());
  }
}
