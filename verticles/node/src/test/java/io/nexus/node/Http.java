package io.nexus.node;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small blocking HTTP client for specifications written against a running node. */
final class Http {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private final String base;

  Http(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  /** A response: status, headers and body text. */
  record Resp(int status, java.net.http.HttpHeaders headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  Resp get(String path, String token) {
    return send(request(path, token).GET());
  }

  Resp post(String path, Object body, String token) {
    return send(request(path, token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body.toString())));
  }

  Resp method(String method, String path, String contentType, byte[] body, String token) {
    var b = request(path, token).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return send(b);
  }

  /** A JSON request with extra headers (name, value, name, value, ...). */
  Resp json(String method, String path, Object body, String token, String... headers) {
    var b = request(path, token).method(method, HttpRequest.BodyPublishers.ofString(body == null ? "" : body.toString()));
    b.header("Content-Type", "application/json");
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b);
  }

  Resp send(HttpRequest.Builder builder) {
    try {
      HttpResponse<String> r = client.send(builder.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
      // a specification every test checks on every response: no password hash and no stack trace leaves the node
      if (r.body().contains("$argon2") || r.body().contains("password_hash") || r.body().matches("(?s).*\\tat [a-z]+\\..*")) {
        throw new AssertionError("response leaks a secret or a stack trace: " + r.body());
      }
      return new Resp(r.statusCode(), r.headers(), r.body());
    } catch (IOException e) {
      throw new IllegalStateException("request failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpRequest.Builder request(String path, String token) {
    var b = HttpRequest.newBuilder(URI.create(base + path));
    if (token != null) {
      b.header("Authorization", token.startsWith("nxk_") ? "ApiKey " + token : "Bearer " + token);
    }
    return b;
  }

  /** A multipart/form-data upload of one file (field {@code file}) and text fields (name, value, ...). */
  Resp upload(String path, String fileName, byte[] content, String token, String... fields) {
    String boundary = "nexus-" + java.util.UUID.randomUUID();
    var body = new java.io.ByteArrayOutputStream();
    var text = new StringBuilder();
    for (int i = 0; i < fields.length; i += 2) {
      text.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"").append(fields[i])
          .append("\"\r\n\r\n").append(fields[i + 1]).append("\r\n");
    }
    text.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"file\"; filename=\"").append(fileName)
        .append("\"\r\nContent-Type: application/octet-stream\r\n\r\n");
    body.writeBytes(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    body.writeBytes(content);
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return send(request(path, token).header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
  }

  /** A GET whose body is bytes: the status, the headers and the bytes. */
  HttpResponse<byte[]> bytes(String path, String token) {
    try {
      return client.send(request(path, token).GET().timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new IllegalStateException("request failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Logs in and returns the access token; fails the test when login fails. */
  String login(String email, String password) {
    Resp r = post("/api/v1/auth/login", new JsonObject().put("email", email).put("password", password), null);
    if (r.status() != 200) {
      throw new AssertionError("login of " + email + " failed: " + r);
    }
    return r.json().getString("accessToken");
  }
}
