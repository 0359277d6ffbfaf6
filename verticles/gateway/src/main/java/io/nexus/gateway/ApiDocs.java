package io.nexus.gateway;

import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Interactive API documentation at {@code /api/v1/docs}: Swagger UI from its WebJar, reading the
 * served OpenAPI document. Public, like the document itself; it holds no examples with secrets.
 * The page names the WebJar's version as the jar itself records it, so the pom is the one place
 * that says which Swagger UI ships.
 */
final class ApiDocs {
  static final String PATH = "/api/v1/docs";
  private static final String WEBJAR_PROPERTIES = "META-INF/maven/org.webjars/swagger-ui/pom.properties";
  /** Swagger UI styles its own elements inline and draws its icons as data: images. */
  private static final String CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
      + "frame-ancestors 'none'";

  private final String page;

  ApiDocs() {
    String base = "/webjars/swagger-ui/" + version() + "/";
    page = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>NEXUS API</title>
          <link rel="icon" href="data:,">
          <link rel="stylesheet" href="%sswagger-ui.css">
        </head>
        <body>
          <div id="swagger-ui"></div>
          <script src="%sswagger-ui-bundle.js"></script>
          <script src="/api-docs.js"></script>
        </body>
        </html>
        """.formatted(base, base);
  }

  void handle(RoutingContext rc) {
    rc.response().putHeader("Content-Type", "text/html; charset=utf-8").putHeader("Content-Security-Policy", CSP)
        .end(page);
  }

  private static String version() {
    try (InputStream in = ApiDocs.class.getClassLoader().getResourceAsStream(WEBJAR_PROPERTIES)) {
      if (in == null) {
        throw new IllegalStateException("the Swagger UI WebJar is not on the classpath");
      }
      var p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
