package io.nexus.gateway;

import io.nexus.contracts.Codec;
import io.nexus.contracts.ErrorCode;
import io.nexus.contracts.vision.Vision;
import io.nexus.contracts.vision.Vision.DocumentRef;
import io.nexus.contracts.vision.Vision.StoreDocument;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The document routes the JSON router cannot serve: the multipart upload (read ahead of the body
 * handler, the file part collected up to {@link Vision#MAX_DOCUMENT_BYTES} and refused with 413
 * the moment it passes it, never buffered beyond) and the stored bytes, served with their type
 * and headers that keep a browser from running them.
 */
final class DocumentRoutes {
  static final String UPLOAD_PATH = "/api/v1/documents";
  private static final String FILE_FIELD = "file";
  private static final String LEDGER_FIELD = "ledgerId";
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
  /** Room for the multipart framing and the other fields around the file. */
  private static final long FRAMING_BYTES = 64 * 1024;

  private final ApiRoutes routes;

  DocumentRoutes(ApiRoutes routes) {
    this.routes = routes;
  }

  /** Serves {@code POST /api/v1/documents} for an authenticated analyst: 202 with the receipt. */
  void upload(RoutingContext rc) {
    HttpServerRequest req = rc.request();
    String type = req.getHeader("Content-Type");
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      Problems.send(rc, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send the document as multipart/form-data, the file in the field '"
          + FILE_FIELD + "'");
      return;
    }
    String length = req.getHeader("Content-Length");
    if (length != null) {
      try {
        if (Long.parseLong(length.trim()) > Vision.MAX_DOCUMENT_BYTES + FRAMING_BYTES) {
          Problems.send(rc, ErrorCode.PAYLOAD_TOO_LARGE, "the request has " + length.trim() + " bytes; a document may have at most "
              + Vision.MAX_DOCUMENT_BYTES);
          return;
        }
      } catch (NumberFormatException e) {
        Problems.send(rc, ErrorCode.BAD_REQUEST, "Content-Length is not a number");
        return;
      }
    }
    var upload = new Upload(rc);
    req.setExpectMultipart(true);
    req.uploadHandler(upload::part);
    req.exceptionHandler(err -> upload.refuse(ErrorCode.BAD_REQUEST, "the upload was cut off: " + err.getMessage()));
    req.endHandler(v -> upload.ended());
    req.resume();
  }

  /** One upload being read. */
  private final class Upload {
    private final RoutingContext rc;
    private Buffer file;
    private String fileName;
    private boolean over;

    Upload(RoutingContext rc) {
      this.rc = rc;
    }

    void part(io.vertx.core.http.HttpServerFileUpload part) {
      if (!FILE_FIELD.equals(part.name()) || file != null) {
        part.handler(b -> { });
        refuse(ErrorCode.BAD_REQUEST, file != null ? "one document per upload: the field '" + FILE_FIELD + "' came twice"
            : "unknown file field '" + part.name() + "'; the document goes in the field '" + FILE_FIELD + "'");
        return;
      }
      file = Buffer.buffer();
      fileName = part.filename();
      part.handler(b -> {
        if (over) {
          return;
        }
        if (file.length() + b.length() > Vision.MAX_DOCUMENT_BYTES) {
          file = Buffer.buffer();
          refuse(ErrorCode.PAYLOAD_TOO_LARGE, "the file is larger than the limit of " + Vision.MAX_DOCUMENT_BYTES + " bytes");
          return;
        }
        file.appendBuffer(b);
      });
    }

    void ended() {
      if (over) {
        return;
      }
      if (file == null) {
        refuse(ErrorCode.BAD_REQUEST, "no file: the document goes in the multipart field '" + FILE_FIELD + "'");
        return;
      }
      String ledger = rc.request().getFormAttribute(LEDGER_FIELD);
      if (ledger != null && ledger.isBlank()) {
        ledger = null;
      }
      if (ledger != null && !ID.matcher(ledger).matches()) {
        refuse(ErrorCode.BAD_REQUEST, LEDGER_FIELD + ": not a ledger id");
        return;
      }
      over = true;
      byte[] bytes = file.getBytes();
      file = null;
      routes.call(rc, Vision.STORE_DOCUMENT, new StoreDocument(ledger, fileName, bytes))
          .onSuccess(receipt -> rc.response().setStatusCode(202).putHeader("Content-Type", "application/json")
              .putHeader("Location", UPLOAD_PATH + "/" + receipt.id()).end(Codec.toJson(receipt).encode()))
          .onFailure(err -> ApiRoutes.fail(rc, err));
    }

    void refuse(ErrorCode code, String why) {
      if (over) {
        return;
      }
      over = true;
      file = null;
      Problems.send(rc, code, why);
    }
  }

  /** Serves {@code GET /api/v1/documents/{documentId}/content}: the bytes, with their type, never rendered as a page. */
  void content(RoutingContext rc) {
    routes.call(rc, Vision.DOCUMENT_CONTENT, new DocumentRef(rc.pathParam("documentId")))
        .onSuccess(c -> {
          var resp = rc.response().putHeader("Content-Type", c.mediaType().mime())
              .putHeader("X-Content-Type-Options", "nosniff")
              .putHeader("Content-Security-Policy", "default-src 'none'; sandbox")
              .putHeader("Cache-Control", "private, max-age=300");
          if (c.fileName() != null) {
            resp.putHeader("Content-Disposition", "inline; filename=\"" + c.fileName().replaceAll("[^A-Za-z0-9._ -]", "_") + "\"");
          }
          resp.end(Buffer.buffer(c.content()));
        })
        .onFailure(err -> ApiRoutes.fail(rc, err));
  }
}
