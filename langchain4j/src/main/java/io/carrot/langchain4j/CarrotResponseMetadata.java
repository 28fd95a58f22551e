package io.carrot.langchain4j;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import io.carrot.core.route.Decision;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Response metadata of a routed request: the answering model's own metadata (id, model name, token
 * usage, finish reason, still reachable as {@link #upstream()} with its provider-specific type), plus
 * carrot's {@link #decision()}, the router name of the model that answered and the candidates that
 * failed before it.
 *
 * <pre>{@code
 * ChatResponse r = routingModel.chat(ChatRequest.builder().messages(UserMessage.from("2+2?")).build());
 * CarrotResponseMetadata m = CarrotResponseMetadata.from(r).orElseThrow();
 * System.out.println(m.routedModel() + " predicted $" + m.decision().chosen().costUsd());
 * if (m.decision().lowSupport()) { ... }   // the router's training data hardly covers this prompt
 * }</pre>
 */
public final class CarrotResponseMetadata extends ChatResponseMetadata {
  private final Decision decision;
  private final String routedModel;
  private final List<FailedAttempt> failedAttempts;
  private final ChatResponseMetadata upstream;

  private CarrotResponseMetadata(Builder builder) {
    super(builder);
    this.decision = Objects.requireNonNull(builder.decision, "decision");
    this.routedModel = Objects.requireNonNull(builder.routedModel, "routedModel");
    this.failedAttempts = List.copyOf(builder.failedAttempts);
    this.upstream = builder.upstream;
  }

  /** The metadata of {@code response} when a carrot routing model produced it. */
  public static Optional<CarrotResponseMetadata> from(ChatResponse response) {
    return response.metadata() instanceof CarrotResponseMetadata m ? Optional.of(m) : Optional.empty();
  }

  /** carrot's decision: the chosen model and every candidate's predicted quality, tokens and cost. */
  public Decision decision() {
    return decision;
  }

  /**
   * The router's name of the model that answered: the decision's choice, or a later candidate when
   * earlier ones failed.
   */
  public String routedModel() {
    return routedModel;
  }

  /** Candidates tried before {@link #routedModel()}, in order; empty when the first choice answered. */
  public List<FailedAttempt> failedAttempts() {
    return failedAttempts;
  }

  /** The answering model's own metadata (e.g. a provider-specific subclass); may be null. */
  public ChatResponseMetadata upstream() {
    return upstream;
  }

  /** A builder holding this metadata's values. */
  @Override
  public Builder toBuilder() {
    Builder b = new Builder();
    toBuilder(b);
    return b.decision(decision).routedModel(routedModel).failedAttempts(failedAttempts).upstream(upstream);
  }

  /** An empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CarrotResponseMetadata that
        && super.equals(o)
        && decision.equals(that.decision)
        && routedModel.equals(that.routedModel)
        && failedAttempts.equals(that.failedAttempts)
        && Objects.equals(upstream, that.upstream);
  }

  @Override
  public int hashCode() {
    return Objects.hash(super.hashCode(), decision, routedModel, failedAttempts, upstream);
  }

  @Override
  public String toString() {
    return "CarrotResponseMetadata{routedModel='" + routedModel + "', decision=" + decision + ", failedAttempts="
        + failedAttempts + ", upstream=" + upstream + '}';
  }

  /** Builds {@link CarrotResponseMetadata}; decision and routed model are required. */
  public static final class Builder extends ChatResponseMetadata.Builder<Builder> {
    private Decision decision;
    private String routedModel;
    private List<FailedAttempt> failedAttempts = List.of();
    private ChatResponseMetadata upstream;

    private Builder() {}

    /** Sets the routing decision. */
    public Builder decision(Decision decision) {
      this.decision = decision;
      return this;
    }

    /** Sets the router name of the model that answered. */
    public Builder routedModel(String routedModel) {
      this.routedModel = routedModel;
      return this;
    }

    /** Sets the candidates that failed first. */
    public Builder failedAttempts(List<FailedAttempt> failedAttempts) {
      this.failedAttempts = failedAttempts;
      return this;
    }

    /** Sets the answering model's metadata and copies its id, model name, usage and finish reason. */
    public Builder upstream(ChatResponseMetadata upstream) {
      this.upstream = upstream;
      if (upstream != null) {
        id(upstream.id()).modelName(upstream.modelName()).tokenUsage(upstream.tokenUsage()).finishReason(upstream.finishReason());
      }
      return this;
    }

    @Override
    public CarrotResponseMetadata build() {
      return new CarrotResponseMetadata(this);
    }
  }
}
