package io.nexus.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;

/**
 * The gateway benchmark's baseline: a bare Vert.x HTTP server answering every request with a
 * small JSON body. Like a node: Vert.x's default event-loop pool, one HTTP server instance (the
 * gateway is one verticle instance). Started as its own JVM with the node's flags. Usage:
 * {@code HelloServer <port>}.
 */
public final class HelloServer {
  private HelloServer() {}

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    Vertx vertx = Vertx.vertx(new VertxOptions());
    vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
        .requestHandler(r -> r.response().putHeader("Content-Type", "application/json").end("{\"hello\":\"world\"}"))
        .listen()
        .onSuccess(s -> System.out.println("hello listening on " + s.actualPort()))
        .onFailure(err -> {
          err.printStackTrace();
          System.exit(1);
        });
  }
}
