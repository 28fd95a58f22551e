package io.carrot.langchain4j;

import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.carrot.api.CarrotRouter;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.route.BudgetPacer;
import io.carrot.core.route.Decision;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A LangChain4j {@link ChatModel} that sends each request to the model carrot picks for its last
 * user message, among named chat models of any provider. Thread-safe.
 *
 * <pre>{@code
 * ChatModel model = RoutingChatModel.builder()
 *     .router(CarrotRouter.loadDefault())
 *     .model("gpt-4o-2024-08-06", OpenAiChatModel.builder().apiKey(key).modelName("gpt-4o-2024-08-06").build())
 *     .model("claude-3-5-haiku-20241022", AnthropicChatModel.builder().apiKey(key2).modelName("claude-3-5-haiku-20241022").build())
 *     .mu(0.3)
 *     .build();
 * String answer = model.chat("What is the value of i^i?");
 * }</pre>
 *
 * <p>Names are the router's model names ({@link CarrotRouter#models()}); only the named models are
 * candidates. The response's metadata is a {@link CarrotResponseMetadata} with the decision. When a
 * model throws, the next-best candidate is tried, up to {@code maxAttempts} models; if all fail,
 * the last exception is thrown with the earlier ones attached as suppressed. A model name in the
 * request's parameters is dropped, so clients can ask for a pseudo-model such as "carrot".
 *
 * <p>Options with a budget ({@link RouteOptions#withBudget(double)}) are paced: the requests
 * through this model are one stream held to the budget by a {@link BudgetPacer}
 * ({@link CarrotRouter#pacer(double)}), which records each answer's real cost, its reported
 * {@code TokenUsage} at the router's prices (the predicted cost of the answering model when it
 * reports none). {@link Builder#pacer(BudgetPacer)} shares one stream between several models.
 */
public final class RoutingChatModel extends RoutedModel<ChatModel> implements ChatModel {
  private static final Logger LOG = LoggerFactory.getLogger(RoutingChatModel.class);

  private RoutingChatModel(Dispatch<ChatModel> dispatch) {
    super(dispatch);
  }

  /** A builder; {@code router}, {@code mu} (or {@code options}) and at least one {@code model} are required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public ChatResponse chat(ChatRequest request, ChatRequestOptions callOptions) {
    Decision decision = dispatch.decide(request);
    ChatRequest forwarded = Dispatch.forward(request);
    List<FailedAttempt> failed = new ArrayList<>();
    List<RuntimeException> errors = new ArrayList<>();
    List<String> plan = dispatch.plan(decision);
    for (String name : plan) {
      ChatResponse r;
      try {
        r = dispatch.model(name).chat(forwarded, callOptions);
      } catch (RuntimeException e) {
        failed.add(FailedAttempt.of(name, e));
        errors.add(e);
        if (errors.size() < plan.size()) {
          LOG.warn("model '{}' failed ({}); trying the next-best candidate", name, e.toString());
        }
        continue;
      }
      dispatch.record(decision, name, r);
      CarrotResponseMetadata meta =
          CarrotResponseMetadata.builder()
              .upstream(r.metadata())
              .decision(decision)
              .routedModel(name)
              .failedAttempts(failed)
              .build();
      return r.toBuilder().metadata(meta).build();
    }
    RuntimeException last = errors.get(errors.size() - 1);
    for (int i = 0; i < errors.size() - 1; i++) {
      last.addSuppressed(errors.get(i));
    }
    throw last;
  }

  @Override
  public ChatResponse doChat(ChatRequest request) {
    return chat(request, ChatRequestOptions.EMPTY);
  }

  /** What every named model supports, since any of them may answer. */
  @Override
  public Set<Capability> supportedCapabilities() {
    Set<Capability> common = null;
    for (ChatModel m : dispatch.models().values()) {
      Set<Capability> c = m.supportedCapabilities();
      if (common == null) {
        common = c.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(c);
      } else {
        common.retainAll(c);
      }
    }
    return common == null ? Set.of() : Set.copyOf(common);
  }

  /** Builds a {@link RoutingChatModel}. */
  public static final class Builder extends RoutingBuilder<ChatModel, Builder> {
    private Builder() {}

    /**
     * Builds the model.
     *
     * @throws io.carrot.core.CarrotException as {@link RoutingBuilder}'s settings are checked: a
     *     missing router or mu, no model, a name not in the router, no model left, a budget it cannot pace
     */
    public RoutingChatModel build() {
      return new RoutingChatModel(dispatch());
    }
  }
}
