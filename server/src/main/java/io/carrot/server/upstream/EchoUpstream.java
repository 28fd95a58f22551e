package io.carrot.server.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.cost.TokenCounter;
import io.carrot.core.files.Json;
import io.carrot.server.ApiError;
import io.carrot.server.ChatRequest;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in OpenAI chat-completions endpoint that answers instantly with a canned reply naming the
 * model, with usage counted by a token counter. It lets {@code carrot serve} run as a demo without
 * any API key, and serves as the upstream of the load benchmark.
 */
public final class EchoUpstream {
  private final TokenCounter tokens;
  private final long chunkDelayMillis;
  private final AtomicLong ids = new AtomicLong();

  public EchoUpstream(TokenCounter tokens) {
    this(tokens, 0);
  }

  /** @param chunkDelayMillis pause before each streamed chunk, to keep streams open like a real model's */
  public EchoUpstream(TokenCounter tokens, long chunkDelayMillis) {
    this.tokens = tokens;
    this.chunkDelayMillis = chunkDelayMillis;
  }

  /** The reply for a prompt. */
  public static String reply(String model, String prompt) {
    String p = prompt.strip().replaceAll("\\s+", " ");
    if (p.length() > 120) {
      p = p.substring(0, 120) + "...";
    }
    return "[" + model + " via the carrot demo upstream] You asked: " + p;
  }

  /** Handles {@code POST .../chat/completions}. */
  public void handle(Context ctx) throws IOException {
    JsonNode body;
    try {
      body = Json.COMPACT.readTree(ctx.bodyInputStream());
    } catch (IOException e) {
      throw ApiError.badRequest(null, "malformed JSON body");
    }
    if (body == null || !body.isObject()) {
      throw ApiError.badRequest(null, "the body must be a JSON object");
    }
    ChatRequest req = ChatRequest.parse((ObjectNode) body);
    String model = req.model();
    String text = reply(model, req.routedText());
    long promptTokens = tokens.count(req.allText());
    long completionTokens = tokens.count(text);
    String id = "chatcmpl-echo-" + ids.incrementAndGet();
    long created = System.currentTimeMillis() / 1000;
    if (!req.stream()) {
      ObjectNode o = Json.COMPACT.createObjectNode();
      o.put("id", id).put("object", "chat.completion").put("created", created).put("model", model);
      ObjectNode choice = o.putArray("choices").addObject();
      choice.put("index", 0);
      choice.putObject("message").put("role", "assistant").put("content", text);
      choice.put("finish_reason", "stop");
      usage(o.putObject("usage"), promptTokens, completionTokens);
      ctx.contentType("application/json").result(Json.COMPACT.writeValueAsBytes(o));
      return;
    }
    ctx.res().setStatus(200);
    ctx.res().setContentType("text/event-stream");
    OutputStream out = ctx.res().getOutputStream();
    String[] words = text.split(" ");
    for (int i = 0; i < words.length; i++) {
      ObjectNode chunk = chunk(id, created, model);
      ObjectNode choice = ((ArrayNode) chunk.get("choices")).addObject().put("index", 0);
      ObjectNode delta = choice.putObject("delta");
      if (i == 0) {
        delta.put("role", "assistant");
      }
      delta.put("content", i == 0 ? words[i] : " " + words[i]);
      choice.putNull("finish_reason");
      pause();
      event(out, chunk, req.includeUsage());
    }
    ObjectNode last = chunk(id, created, model);
    ObjectNode choice = ((ArrayNode) last.get("choices")).addObject().put("index", 0);
    choice.putObject("delta");
    choice.put("finish_reason", "stop");
    event(out, last, req.includeUsage());
    if (req.includeUsage()) {
      ObjectNode u = chunk(id, created, model);
      usage(u.putObject("usage"), promptTokens, completionTokens);
      write(out, u);
    }
    out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private void pause() {
    if (chunkDelayMillis > 0) {
      try {
        Thread.sleep(chunkDelayMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static ObjectNode chunk(String id, long created, String model) {
    ObjectNode o = Json.COMPACT.createObjectNode();
    o.put("id", id).put("object", "chat.completion.chunk").put("created", created).put("model", model);
    o.putArray("choices");
    return o;
  }

  private static void event(OutputStream out, ObjectNode chunk, boolean withUsageField) throws IOException {
    if (withUsageField) {
      chunk.putNull("usage");
    }
    write(out, chunk);
  }

  private static void write(OutputStream out, ObjectNode o) throws IOException {
    out.write(("data: " + Json.COMPACT.writeValueAsString(o) + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static void usage(ObjectNode u, long prompt, long completion) {
    u.put("prompt_tokens", prompt).put("completion_tokens", completion).put("total_tokens", prompt + completion);
  }
}
