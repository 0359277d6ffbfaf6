package io.nexus.contracts;

/**
 * Failure codes carried as the {@code failureCode} of a bus {@code ReplyException}. They are
 * HTTP statuses so that the gateway maps them one to one onto its responses.
 */
public enum ErrorCode {
  BAD_REQUEST(400, "Bad request"),
  UNAUTHORIZED(401, "Unauthorized"),
  FORBIDDEN(403, "Forbidden"),
  NOT_FOUND(404, "Not found"),
  CONFLICT(409, "Conflict"),
  PRECONDITION_FAILED(412, "Precondition failed"),
  PAYLOAD_TOO_LARGE(413, "Payload too large"),
  UNSUPPORTED_MEDIA_TYPE(415, "Unsupported media type"),
  UNPROCESSABLE(422, "Unprocessable content"),
  PRECONDITION_REQUIRED(428, "Precondition required"),
  TOO_MANY_REQUESTS(429, "Too many requests"),
  INTERNAL(500, "Internal error"),
  UNAVAILABLE(503, "Service unavailable");

  private final int status;
  private final String title;

  ErrorCode(int status, String title) {
    this.status = status;
    this.title = title;
  }

  /** The HTTP status, also the bus failure code. */
  public int status() {
    return status;
  }

  /** A short human title for problem+json. */
  public String title() {
    return title;
  }

  /** The code for a status; unknown statuses map to {@link #INTERNAL}. */
  public static ErrorCode of(int status) {
    for (ErrorCode c : values()) {
      if (c.status == status) {
        return c;
      }
    }
    return INTERNAL;
  }
}
