package io.nexus.contracts;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;

/**
 * The body of a failed reply: what went wrong, in words a caller can act on. Travels as the
 * JSON message of a {@code ReplyException} whose failure code is {@code status}.
 *
 * @param status HTTP-like status, see {@link ErrorCode}
 * @param detail what went wrong, naming the offending field or value; never a stack trace
 * @param retryAfterSeconds for 429 and 503: when to try again, else null
 * @param current for 412: the entity as it is now, so the caller can see what changed; else null
 */
public record Failure(
      @Min(400) @Max(599) int status,
      @Size(max = 2000) String detail,
      @Nullable @Min(0) Long retryAfterSeconds,
      @Nullable java.util.Map<String, Object> current) {
  public static Failure of(ErrorCode code, String detail) {
    return new Failure(code.status(), detail, null, null);
  }
}
