package example.spring;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.carrot.langchain4j.CarrotResponseMetadata;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /ask} with a question as the body; answers with the text and carrot's decision. */
@RestController
class AskController {
  private final ChatModel chat;

  /** The primary ChatModel: carrot's routing model. */
  AskController(ChatModel chat) {
    this.chat = chat;
  }

  record Answer(String answer, String model, double predictedQuality, double predictedCostUsd) {}

  @PostMapping("/ask")
  Answer ask(@RequestBody String question) {
    ChatResponse response = chat.chat(UserMessage.from(question));
    CarrotResponseMetadata meta = CarrotResponseMetadata.from(response).orElseThrow();
    return new Answer(
        response.aiMessage().text(), meta.routedModel(), meta.decision().chosen().quality(), meta.decision().chosen().costUsd());
  }
}
