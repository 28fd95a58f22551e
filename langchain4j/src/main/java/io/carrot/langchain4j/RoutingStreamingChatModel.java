package io.carrot.langchain4j;

import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.PartialThinkingContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import io.carrot.api.CarrotRouter;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.route.BudgetPacer;
import io.carrot.core.route.Decision;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A LangChain4j {@link StreamingChatModel} that streams each request from the model carrot picks
 * for its last user message, among named streaming chat models of any provider. Thread-safe.
 *
 * <pre>{@code
 * StreamingChatModel model = RoutingStreamingChatModel.builder()
 *     .router(CarrotRouter.loadDefault())
 *     .model("gpt-4o-2024-08-06", OpenAiStreamingChatModel.builder().apiKey(key).modelName("gpt-4o-2024-08-06").build())
 *     .model("gpt-4o-mini-2024-07-18", OpenAiStreamingChatModel.builder().apiKey(key).modelName("gpt-4o-mini-2024-07-18").build())
 *     .mu(0.3)
 *     .build();
 * model.chat("What is the value of i^i?", handler);
 * }</pre>
 *
 * <p>When a model fails before it has streamed anything (an exception from its {@code chat} call or
 * an {@code onError} before the first partial response, thinking or tool-call event), the next-best
 * candidate is tried, up to {@code maxAttempts} models; once a model has streamed, its error goes to
 * the handler, since the caller has already seen part of its answer. Every error, routing ones
 * included, reaches the handler's {@code onError}, with earlier failures attached as suppressed. The
 * complete response carries a {@link CarrotResponseMetadata}.
 *
 * <p>Budgets are paced as in {@link RoutingChatModel}: each complete response's reported token
 * usage at the router's prices (else the answering model's predicted cost) is recorded in the
 * pacer before the handler sees it; a stream that fails is not recorded.
 */
public final class RoutingStreamingChatModel extends RoutedModel<StreamingChatModel> implements StreamingChatModel {
  private static final Logger LOG = LoggerFactory.getLogger(RoutingStreamingChatModel.class);

  private RoutingStreamingChatModel(Dispatch<StreamingChatModel> dispatch) {
    super(dispatch);
  }

  /** A builder; {@code router}, {@code mu} (or {@code options}) and at least one {@code model} are required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void chat(ChatRequest request, ChatRequestOptions callOptions, StreamingChatResponseHandler handler) {
    Decision decision;
    try {
      decision = dispatch.decide(request);
    } catch (RuntimeException e) {
      handler.onError(e);
      return;
    }
    Call call = new Call(Dispatch.forward(request), callOptions, handler, decision, dispatch.plan(decision));
    call.attempt(0);
  }

  @Override
  public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
    chat(request, ChatRequestOptions.EMPTY, handler);
  }

  /** What every named model supports, since any of them may answer. */
  @Override
  public Set<Capability> supportedCapabilities() {
    Set<Capability> common = null;
    for (StreamingChatModel m : dispatch.models().values()) {
      Set<Capability> c = m.supportedCapabilities();
      if (common == null) {
        common = c.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(c);
      } else {
        common.retainAll(c);
      }
    }
    return common == null ? Set.of() : Set.copyOf(common);
  }

  /** One request's journey through its candidates. */
  private final class Call {
    private final ChatRequest request;
    private final ChatRequestOptions callOptions;
    private final StreamingChatResponseHandler handler;
    private final Decision decision;
    private final List<String> plan;
    private final List<FailedAttempt> failed = Collections.synchronizedList(new ArrayList<>());
    private final List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());

    Call(
        ChatRequest request,
        ChatRequestOptions callOptions,
        StreamingChatResponseHandler handler,
        Decision decision,
        List<String> plan) {
      this.request = request;
      this.callOptions = callOptions;
      this.handler = handler;
      this.decision = decision;
      this.plan = plan;
    }

    void attempt(int i) {
      Attempt a = new Attempt(this, i);
      try {
        dispatch.model(plan.get(i)).chat(request, callOptions, a);
      } catch (RuntimeException e) {
        a.onError(e);
      }
    }

    void failed(int i, Throwable error, boolean streamed) {
      String name = plan.get(i);
      failed.add(FailedAttempt.of(name, error));
      errors.add(error);
      if (!streamed && i + 1 < plan.size()) {
        LOG.warn("model '{}' failed before streaming ({}); trying the next-best candidate", name, error.toString());
        attempt(i + 1);
        return;
      }
      for (int e = 0; e < errors.size() - 1; e++) {
        if (errors.get(e) != error) {
          error.addSuppressed(errors.get(e));
        }
      }
      handler.onError(error);
    }

    void completed(int i, ChatResponse r) {
      dispatch.record(decision, plan.get(i), r);
      CarrotResponseMetadata meta =
          CarrotResponseMetadata.builder()
              .upstream(r.metadata())
              .decision(decision)
              .routedModel(plan.get(i))
              .failedAttempts(List.copyOf(failed))
              .build();
      handler.onCompleteResponse(r.toBuilder().metadata(meta).build());
    }
  }

  /**
   * The handler given to one candidate: forwards its events, remembers whether it streamed anything
   * and ignores whatever it sends after it finished (some clients report an error after completing).
   */
  private static final class Attempt implements StreamingChatResponseHandler {
    private final Call call;
    private final int index;
    private final StreamingChatResponseHandler out;
    private final AtomicBoolean streamed = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();

    Attempt(Call call, int index) {
      this.call = call;
      this.index = index;
      this.out = call.handler;
    }

    private boolean live() {
      if (finished.get()) {
        return false;
      }
      streamed.set(true);
      return true;
    }

    @Override
    public void onPartialResponse(String partialResponse) {
      if (live()) {
        out.onPartialResponse(partialResponse);
      }
    }

    @Override
    public void onPartialResponse(PartialResponse partialResponse, PartialResponseContext context) {
      if (live()) {
        out.onPartialResponse(partialResponse, context);
      }
    }

    @Override
    public void onPartialThinking(PartialThinking partialThinking) {
      if (live()) {
        out.onPartialThinking(partialThinking);
      }
    }

    @Override
    public void onPartialThinking(PartialThinking partialThinking, PartialThinkingContext context) {
      if (live()) {
        out.onPartialThinking(partialThinking, context);
      }
    }

    @Override
    public void onPartialToolCall(PartialToolCall partialToolCall) {
      if (live()) {
        out.onPartialToolCall(partialToolCall);
      }
    }

    @Override
    public void onPartialToolCall(PartialToolCall partialToolCall, PartialToolCallContext context) {
      if (live()) {
        out.onPartialToolCall(partialToolCall, context);
      }
    }

    @Override
    public void onCompleteToolCall(CompleteToolCall completeToolCall) {
      if (live()) {
        out.onCompleteToolCall(completeToolCall);
      }
    }

    @Override
    public void onUnmappedRawEvent(Object rawEvent) {
      if (!finished.get()) {
        out.onUnmappedRawEvent(rawEvent);
      }
    }

    @Override
    public void onCompleteResponse(ChatResponse completeResponse) {
      if (finished.compareAndSet(false, true)) {
        call.completed(index, completeResponse);
      }
    }

    @Override
    public void onError(Throwable error) {
      if (finished.compareAndSet(false, true)) {
        call.failed(index, error, streamed.get());
      }
    }
  }

  /** Builds a {@link RoutingStreamingChatModel}. */
  public static final class Builder extends RoutingBuilder<StreamingChatModel, Builder> {
    private Builder() {}

    /**
     * Builds the model.
     *
     * @throws io.carrot.core.CarrotException as {@link RoutingBuilder}'s settings are checked: a
     *     missing router or mu, no model, a name not in the router, no model left, a budget it cannot pace
     */
    public RoutingStreamingChatModel build() {
      return new RoutingStreamingChatModel(dispatch());
    }
  }
}
