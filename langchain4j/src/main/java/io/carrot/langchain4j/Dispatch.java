package io.carrot.langchain4j;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import io.carrot.api.CarrotRouter;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.CarrotException;
import io.carrot.core.route.BudgetPacer;
import io.carrot.core.route.Candidate;
import io.carrot.core.route.Decision;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the blocking and the streaming routing models share: which named models may be chosen, how a
 * request becomes a prompt, in which order candidates are tried, and the pacer of a budget.
 * Immutable but for the pacer's record of spend.
 *
 * @param <M> the kind of chat model routed to
 */
final class Dispatch<M> {
  private final CarrotRouter router;
  private final Map<String, M> models;
  private final RouteOptions options;
  private final int maxAttempts;
  private final BudgetPacer pacer;

  /**
   * @param pacer the pacer to route with, or null; without one, a budget in {@code options} gets a
   *     pacer of its own
   */
  Dispatch(CarrotRouter router, Map<String, M> models, RouteOptions options, int maxAttempts, BudgetPacer pacer) {
    if (router == null) {
      throw new CarrotException("router is required: pass a CarrotRouter, e.g. CarrotRouter.loadDefault()");
    }
    if (models.isEmpty()) {
      throw new CarrotException("no chat models to route to: add at least one with model(name, chatModel); the router knows "
          + router.models());
    }
    for (String name : models.keySet()) {
      if (!router.models().contains(name)) {
        throw new CarrotException("model '" + name + "' is not one of the router's models " + router.models());
      }
    }
    if (options == null) {
      throw new CarrotException("mu is required: call mu(x) with x in [0, 1] (0 = best quality, 1 = cheapest) or options(...)");
    }
    if (maxAttempts < 1) {
      throw new CarrotException("maxAttempts must be >= 1, got " + maxAttempts);
    }
    Set<String> allowed = new LinkedHashSet<>(models.keySet());
    if (!options.allow().isEmpty()) {
      allowed.retainAll(options.allow());
    }
    allowed.removeAll(options.deny());
    if (allowed.isEmpty()) {
      throw new CarrotException(
          "the options leave none of the chat models " + models.keySet() + " (allow " + options.allow() + ", deny "
              + options.deny() + ")");
    }
    this.router = router;
    this.models = new LinkedHashMap<>(models);
    if (pacer != null && options.hasBudget() && options.budgetUsdPer1000() != pacer.usdPer1000()) {
      throw new CarrotException(
          "options set a budget of " + options.budgetUsdPer1000() + " USD per 1000 requests and the pacer holds "
              + pacer.usdPer1000() + ": give the pacer alone (to share one stream between models) or the budget");
    }
    this.pacer = pacer == null && options.hasBudget() ? router.pacer(options.budgetUsdPer1000()) : pacer;
    // the pacer replaces the budget
    this.options = (options.hasBudget() ? options.withMu(options.mu()) : options).withAllow(allowed);
    this.maxAttempts = maxAttempts;
  }

  CarrotRouter router() {
    return router;
  }

  Map<String, M> models() {
    return java.util.Collections.unmodifiableMap(models);
  }

  RouteOptions options() {
    return options;
  }

  M model(String name) {
    return models.get(name);
  }

  /** The pacer requests are routed with, or null. */
  BudgetPacer pacer() {
    return pacer;
  }

  /** Routes the request's last user message (at the pacer's setting when there is one). */
  Decision decide(ChatRequest request) {
    return pacer == null ? router.route(promptOf(request), options) : router.route(promptOf(request), options, pacer);
  }

  /**
   * Tells the pacer (if any) what an answer of {@code model} cost: its reported token usage at the
   * router's prices, else, without usage, the decision's predicted cost of that model.
   */
  void record(Decision d, String model, ChatResponse r) {
    if (pacer == null) {
      return;
    }
    TokenUsage u = r.metadata() == null ? null : r.metadata().tokenUsage();
    double usd;
    if (u != null && (u.inputTokenCount() != null || u.outputTokenCount() != null)) {
      long in = u.inputTokenCount() == null ? 0 : u.inputTokenCount();
      long out = u.outputTokenCount() == null ? 0 : u.outputTokenCount();
      usd = router.costUsd(model, in, out);
    } else {
      usd = d.candidates().stream().filter(c -> c.model().equals(model)).findFirst().orElseThrow().costUsd();
    }
    pacer.record(usd);
  }

  /** The candidates to try, best first, at most {@code maxAttempts}. */
  List<String> plan(Decision d) {
    List<String> out = new ArrayList<>();
    for (Candidate c : d.candidates()) {
      if (out.size() == maxAttempts) {
        break;
      }
      out.add(c.model());
    }
    return out;
  }

  /**
   * The text routed on: the last user message's text parts, joined by new lines. Earlier turns are
   * left out on purpose: the last question decides how hard the next answer is.
   */
  static String promptOf(ChatRequest request) {
    List<ChatMessage> messages = request.messages();
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (messages.get(i) instanceof UserMessage u) {
        StringBuilder text = new StringBuilder();
        for (Content c : u.contents()) {
          if (c instanceof TextContent t) {
            if (!text.isEmpty()) {
              text.append('\n');
            }
            text.append(t.text());
          }
        }
        if (!text.toString().isBlank()) {
          return text.toString();
        }
      }
    }
    throw new CarrotException("the chat request has no user message with text; carrot routes on the last user message");
  }

  /**
   * The request as sent to the chosen model: without a model name, which would otherwise override
   * the chosen model's own (callers often ask for a pseudo-model such as "carrot").
   */
  static ChatRequest forward(ChatRequest request) {
    ChatRequestParameters p = request.parameters();
    if (p == null || p.modelName() == null) {
      return request;
    }
    ChatRequestParameters stripped = ChatRequestParameters.builder().overrideWith(p).modelName(null).build();
    return ChatRequest.builder().messages(request.messages()).parameters(stripped).build();
  }
}
