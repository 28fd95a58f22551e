package io.carrot.testsupport;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.TokenUsage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** LangChain4j chat models for tests that answer with their name, or fail in a chosen way, and record requests. */
public final class FakeChatModels {
  private FakeChatModels() {}

  /** How a fake behaves. */
  public enum Behaviour {
    ANSWER,
    THROW,
    ERROR_BEFORE_TOKENS,
    ERROR_AFTER_A_TOKEN
  }

  public static class Blocking implements ChatModel {
    public final String name;
    public final Behaviour behaviour;
    public final TokenUsage usage;
    public final List<ChatRequest> requests = new CopyOnWriteArrayList<>();

    public Blocking(String name, Behaviour behaviour) {
      this(name, behaviour, new TokenUsage(3, 4));
    }

    /** Answers reporting {@code usage} (null: none). */
    public Blocking(String name, Behaviour behaviour, TokenUsage usage) {
      this.name = name;
      this.behaviour = behaviour;
      this.usage = usage;
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
      requests.add(request);
      if (behaviour != Behaviour.ANSWER) {
        throw new IllegalStateException(name + " is down");
      }
      return ChatResponse.builder()
          .aiMessage(AiMessage.from("answer from " + name))
          .id("id-" + name)
          .modelName(name + "-v1")
          .tokenUsage(usage)
          .build();
    }
  }

  public static class Streaming implements StreamingChatModel {
    public final String name;
    public final Behaviour behaviour;
    public final TokenUsage usage;
    public final List<ChatRequest> requests = new CopyOnWriteArrayList<>();

    public Streaming(String name, Behaviour behaviour) {
      this(name, behaviour, null);
    }

    /** Complete responses reporting {@code usage} (null: none). */
    public Streaming(String name, Behaviour behaviour, TokenUsage usage) {
      this.name = name;
      this.behaviour = behaviour;
      this.usage = usage;
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
      requests.add(request);
      switch (behaviour) {
        case THROW -> throw new IllegalStateException(name + " refused the connection");
        case ERROR_BEFORE_TOKENS -> handler.onError(new IllegalStateException(name + " is overloaded"));
        case ERROR_AFTER_A_TOKEN -> {
          handler.onPartialResponse("partial from " + name);
          handler.onError(new IllegalStateException(name + " dropped the stream"));
        }
        case ANSWER -> {
          handler.onPartialResponse("answer ");
          handler.onPartialResponse("from " + name);
          handler.onCompleteResponse(
              ChatResponse.builder().aiMessage(AiMessage.from("answer from " + name)).modelName(name + "-v1").tokenUsage(usage).build());
        }
      }
    }
  }
}
