package io.nexus.node;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A local OpenAI-compatible chat server, started by a test (the one fake allowed: no real model
 * runs here). {@code POST /v1/chat/completions} with {@code stream: true} answers as the test
 * scripts it — pieces as server-sent events with usage at the end, a status, a wait before the
 * first byte, or a stream that stops after its first piece and never ends — and keeps every
 * request body so a test can read the prompt. Loopback, a free port.
 */
final class FakeModelServer implements AutoCloseable {
  /** What the server does with one request. */
  sealed interface Script permits Stream, Status, Hang, Wait {}

  /** Streams these pieces, then reports the usage. */
  record Stream(List<String> pieces, int promptTokens, int completionTokens) implements Script {}

  /** Answers with this status and a JSON error. */
  record Status(int code) implements Script {}

  /** Sends the first piece, then nothing, never ending the stream. */
  record Hang(String first) implements Script {}

  /** Waits this long before answering at all. */
  record Wait(long ms, Script then) implements Script {}

  private final HttpServer server;
  private final List<JsonObject> requests = new CopyOnWriteArrayList<>();
  private final CountDownLatch closing = new CountDownLatch(1);
  private volatile Function<JsonObject, Script> script = r -> new Stream(List.of("No script."), 1, 1);

  FakeModelServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/v1/chat/completions", this::serve);
    server.start();
  }

  /** The base URL the assistant is pointed at. */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  void script(Function<JsonObject, Script> s) {
    script = s;
  }

  List<JsonObject> requests() {
    return requests;
  }

  /** The user message of a request: the question and the facts as the model was given them. */
  static String userMessage(JsonObject request) {
    for (Object o : request.getJsonArray("messages")) {
      JsonObject m = (JsonObject) o;
      if ("user".equals(m.getString("role"))) {
        return m.getValue("content") instanceof String s ? s : m.getJsonArray("content").getJsonObject(0).getString("text");
      }
    }
    return "";
  }

  static String systemMessage(JsonObject request) {
    for (Object o : request.getJsonArray("messages")) {
      JsonObject m = (JsonObject) o;
      if ("system".equals(m.getString("role"))) {
        return m.getString("content");
      }
    }
    return "";
  }

  private void serve(HttpExchange ex) throws IOException {
    JsonObject req = new JsonObject(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    requests.add(req);
    run(ex, script.apply(req));
  }

  private void run(HttpExchange ex, Script s) throws IOException {
    if (s instanceof Wait w) {
        try {
          if (closing.await(w.ms(), TimeUnit.MILLISECONDS)) {
            ex.close();
            return;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        run(ex, w.then());
    } else if (s instanceof Status st) {
        byte[] body = new JsonObject().put("error", new JsonObject().put("message", "scripted failure").put("type", "server_error"))
            .encode().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(st.code(), body.length);
        try (OutputStream out = ex.getResponseBody()) {
          out.write(body);
        }
    } else if (s instanceof Stream st) {
        OutputStream out = start(ex);
        for (String p : st.pieces()) {
          event(out, chunk(p, null));
        }
        event(out, chunk(null, "stop"));
        event(out, new JsonObject().put("id", "fake").put("object", "chat.completion.chunk").put("created", 1).put("model", "fake")
            .put("choices", new JsonArray()).put("usage", new JsonObject().put("prompt_tokens", st.promptTokens())
                .put("completion_tokens", st.completionTokens()).put("total_tokens", st.promptTokens() + st.completionTokens()))
            .encode());
        event(out, "[DONE]");
        out.close();
    } else if (s instanceof Hang h) {
        OutputStream out = start(ex);
        event(out, chunk(h.first(), null));
        try {
          closing.await(10, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        ex.close();
    }
  }

  private static OutputStream start(HttpExchange ex) throws IOException {
    ex.getResponseHeaders().add("Content-Type", "text/event-stream");
    ex.sendResponseHeaders(200, 0);
    return ex.getResponseBody();
  }

  private static String chunk(String content, String finish) {
    JsonObject delta = new JsonObject();
    if (content != null) {
      delta.put("content", content);
    }
    return new JsonObject().put("id", "fake").put("object", "chat.completion.chunk").put("created", 1).put("model", "fake")
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("delta", delta).put("finish_reason", finish)))
        .encode();
  }

  private static void event(OutputStream out, String data) throws IOException {
    out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
  }
}
