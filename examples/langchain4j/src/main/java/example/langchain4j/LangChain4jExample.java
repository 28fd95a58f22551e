package example.langchain4j;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import io.carrot.api.CarrotRouter;
import io.carrot.langchain4j.CarrotResponseMetadata;
import io.carrot.langchain4j.RoutingChatModel;
import io.carrot.langchain4j.RoutingStreamingChatModel;
import java.util.List;

/**
 * A LangChain4j application whose chat model is carrot: each request goes to the model the router
 * picks for it, among models served by one OpenAI-compatible endpoint (OpenAI itself, or a gateway
 * that serves several providers under their model names).
 *
 * <p>Run with {@code OPENAI_API_KEY} (and {@code OPENAI_BASE_URL} for a gateway) set; the arguments
 * are the model names to route between, which must be models of the router.
 */
public final class LangChain4jExample {
  static final List<String> DEFAULT_MODELS = List.of("gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18");

  private LangChain4jExample() {}

  public static void main(String[] args) {
    String baseUrl = System.getenv().getOrDefault("OPENAI_BASE_URL", "https://api.openai.com/v1");
    String apiKey = System.getenv("OPENAI_API_KEY");
    List<String> models = args.length > 0 ? List.of(args) : DEFAULT_MODELS;
    try (CarrotRouter router = CarrotRouter.loadDefault()) {
      ChatModel model = chatModel(router, baseUrl, apiKey, models);
      System.out.println(ask(model, "What is the value of i^i?"));
    }
  }

  /** The routing chat model: one OpenAI chat model per router model name, mu = 0.3. */
  static RoutingChatModel chatModel(CarrotRouter router, String baseUrl, String apiKey, List<String> models) {
    RoutingChatModel.Builder builder = RoutingChatModel.builder().router(router).mu(0.3);
    for (String name : models) {
      builder.model(name, OpenAiChatModel.builder().baseUrl(baseUrl).apiKey(apiKey).modelName(name).maxRetries(0).build());
    }
    return builder.build();
  }

  /** The same, streaming. */
  static RoutingStreamingChatModel streamingChatModel(CarrotRouter router, String baseUrl, String apiKey, List<String> models) {
    RoutingStreamingChatModel.Builder builder = RoutingStreamingChatModel.builder().router(router).mu(0.3);
    for (String name : models) {
      StreamingChatModel m = OpenAiStreamingChatModel.builder().baseUrl(baseUrl).apiKey(apiKey).modelName(name).build();
      builder.model(name, m);
    }
    return builder.build();
  }

  /** Asks one question; the answer line says which model answered and what carrot predicted. */
  static String ask(ChatModel model, String question) {
    ChatResponse response = model.chat(UserMessage.from(question));
    CarrotResponseMetadata meta = CarrotResponseMetadata.from(response).orElseThrow();
    return String.format(
        "%s [answered by %s, predicted quality %.2f, predicted cost $%.6f, %d failed before]",
        response.aiMessage().text(),
        meta.routedModel(),
        meta.decision().chosen().quality(),
        meta.decision().chosen().costUsd(),
        meta.failedAttempts().size());
  }
}
