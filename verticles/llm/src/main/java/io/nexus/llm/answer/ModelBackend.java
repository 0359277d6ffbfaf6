package io.nexus.llm.answer;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.TokenUsage;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * An OpenAI-compatible chat server (Ollama, vLLM, llama.cpp's server, a hosted API) behind
 * LangChain4j's OpenAI module with a base URL: the answer streamed, each piece handed on as it
 * comes, behind a circuit breaker. A generation ends in error when it takes longer than
 * {@code timeoutMs} in all, or when, once it began, no piece arrives for {@code idleMs} (a stream that hangs):
 * the stream is cancelled, and the caller falls back. Requests and answers are never logged.
 */
public final class ModelBackend {
  /** What a generation produced; token counts as the server reported them, else estimated (4 characters a token). */
  public record Generated(String text, int promptTokens, int completionTokens) {}

  /** How a generation failed: its reason, in a word, for the fallback's label and metric. */
  public static final class Failed extends RuntimeException {
    private final String reason;

    Failed(String reason, String message) {
      super(message);
      this.reason = reason;
    }

    public String reason() {
      return reason;
    }
  }

  private static final int CHARS_PER_TOKEN = 4;

  private final Vertx vertx;
  private final StreamingChatModel model;
  private final String modelName;
  private final CircuitBreaker breaker;
  private final long timeoutMs;
  private final long idleMs;

  public ModelBackend(Vertx vertx, String baseUrl, String modelName, String apiKey, long timeoutMs, long idleMs, int maxTokens,
      CircuitBreaker breaker) {
    this.vertx = vertx;
    this.modelName = modelName;
    this.breaker = breaker;
    this.timeoutMs = timeoutMs;
    this.idleMs = idleMs;
    this.model = OpenAiStreamingChatModel.builder().baseUrl(baseUrl).modelName(modelName)
        .apiKey(apiKey == null || apiKey.isBlank() ? "none" : apiKey)
        .timeout(Duration.ofMillis(timeoutMs)).maxTokens(maxTokens).temperature(0.0).build();
  }

  public String modelName() {
    return modelName;
  }

  /** True while the breaker lets requests through. */
  public boolean available() {
    return breaker.state() != io.vertx.circuitbreaker.CircuitBreakerState.OPEN;
  }

  /** Generates an answer; {@code onPiece} gets each piece on the caller's context, in order. */
  public Future<Generated> generate(String system, String user, Consumer<String> onPiece) {
    Context ctx = vertx.getOrCreateContext();
    return breaker.<Generated>execute(p -> stream(ctx, system, user, onPiece).onComplete(p))
        .recover(err -> Future.failedFuture(err instanceof Failed ? err
            : err instanceof io.vertx.circuitbreaker.OpenCircuitException
                ? new Failed("breaker-open", "the model server is failing; its circuit breaker is open")
                : new Failed("error", "the model server failed: " + err.getClass().getSimpleName())));
  }

  private Future<Generated> stream(Context ctx, String system, String user, Consumer<String> onPiece) {
    Promise<Generated> done = Promise.promise();
    var text = new StringBuilder();
    var handle = new AtomicReference<StreamingHandle>();
    var over = new AtomicBoolean();
    long[] idle = {-1};
    long total = vertx.setTimer(timeoutMs, t -> end(done, over, handle, idle, new Failed("timeout",
        "the model server took longer than " + timeoutMs + " ms")));
    Runnable armIdle = () -> {
      if (idle[0] >= 0) {
        vertx.cancelTimer(idle[0]);
      }
      idle[0] = vertx.setTimer(idleMs, t -> end(done, over, handle, idle, new Failed("stalled",
          "the model server sent nothing for " + idleMs + " ms")));
    };
    // the first piece may take a while (a long prompt is read first): only the whole timeout bounds it
    done.future().onComplete(ar -> vertx.cancelTimer(total));
    model.chat(dev.langchain4j.model.chat.request.ChatRequest.builder()
        .messages(List.of(SystemMessage.from(system), UserMessage.from(user))).build(), new StreamingChatResponseHandler() {
          @Override
          public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
            handle.set(context.streamingHandle());
            ctx.runOnContext(v -> {
              if (over.get()) {
                return;
              }
              armIdle.run();
              text.append(partial.text());
              onPiece.accept(partial.text());
            });
          }

          @Override
          public void onCompleteResponse(ChatResponse response) {
            ctx.runOnContext(v -> {
              if (over.getAndSet(true)) {
                return;
              }
              vertx.cancelTimer(idle[0]);
              String all = text.length() > 0 || response.aiMessage() == null || response.aiMessage().text() == null
                  ? text.toString() : response.aiMessage().text();
              TokenUsage u = response.tokenUsage();
              int in = u != null && u.inputTokenCount() != null ? u.inputTokenCount() : estimate(system.length() + user.length());
              int out = u != null && u.outputTokenCount() != null ? u.outputTokenCount() : estimate(all.length());
              done.complete(new Generated(all, in, out));
            });
          }

          @Override
          public void onError(Throwable error) {
            ctx.runOnContext(v -> end(done, over, handle, idle, new Failed("error", "the model server failed: "
                + summary(error))));
          }
        });
    return done.future();
  }

  private void end(Promise<Generated> done, AtomicBoolean over, AtomicReference<StreamingHandle> handle, long[] idle, Failed why) {
    if (over.getAndSet(true)) {
      return;
    }
    if (idle[0] >= 0) {
      vertx.cancelTimer(idle[0]);
    }
    StreamingHandle h = handle.get();
    if (h != null && !h.isCancelled()) {
      h.cancel();
    }
    done.fail(why);
  }

  /** The error's kind and status, never the server's body (it may echo the prompt). */
  private static String summary(Throwable error) {
    String name = error.getClass().getSimpleName();
    if (error instanceof dev.langchain4j.exception.HttpException http) {
      return "HTTP " + http.statusCode();
    }
    return name;
  }

  static int estimate(int chars) {
    return (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
  }
}
