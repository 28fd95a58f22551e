package example.spring;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The application's own chat models, one per model it may use. carrot's starter finds them by
 * their configured model name and exposes a primary {@code ChatModel} that routes between them
 * (see {@code application.yml}).
 */
@SpringBootApplication
public class SpringBootExample {
  public static void main(String[] args) {
    SpringApplication.run(SpringBootExample.class, args);
  }

  @Bean
  ChatModel gpt4o(@Value("${openai.base-url}") String baseUrl, @Value("${openai.api-key}") String apiKey) {
    return openAi(baseUrl, apiKey, "gpt-4o-2024-08-06");
  }

  @Bean
  ChatModel gpt4oMini(@Value("${openai.base-url}") String baseUrl, @Value("${openai.api-key}") String apiKey) {
    return openAi(baseUrl, apiKey, "gpt-4o-mini-2024-07-18");
  }

  private static ChatModel openAi(String baseUrl, String apiKey, String model) {
    return OpenAiChatModel.builder().baseUrl(baseUrl).apiKey(apiKey).modelName(model).maxRetries(0).build();
  }
}
