package io.carrot.server.upstream;

/**
 * The OpenAI APIs carrot passes on: where each lives under an upstream's base URL and where its
 * answers report usage.
 */
public enum Api {
  /** {@code POST /chat/completions}; usage {@code prompt_tokens} / {@code completion_tokens}. */
  CHAT("chat", "/chat/completions", "prompt_tokens", "completion_tokens"),
  /** {@code POST /responses}; usage {@code input_tokens} / {@code output_tokens}. */
  RESPONSES("responses", "/responses", "input_tokens", "output_tokens"),
  /** {@code POST /embeddings}; usage {@code prompt_tokens} only. */
  EMBEDDINGS("embeddings", "/embeddings", "prompt_tokens", null);

  private final String id;
  private final String path;
  private final String inputField;
  private final String outputField;

  Api(String id, String path, String inputField, String outputField) {
    this.id = id;
    this.path = path;
    this.inputField = inputField;
    this.outputField = outputField;
  }

  /** The name in the config ({@code serves}) and the log ({@code endpoint}). */
  public String id() {
    return id;
  }

  public String path() {
    return path;
  }

  String inputField() {
    return inputField;
  }

  /** Null for APIs without output tokens. */
  String outputField() {
    return outputField;
  }

  /** The API of a config name, or null. */
  public static Api of(String id) {
    for (Api a : values()) {
      if (a.id.equals(id)) {
        return a;
      }
    }
    return null;
  }
}
