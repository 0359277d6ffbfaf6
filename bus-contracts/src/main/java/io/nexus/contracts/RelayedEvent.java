package io.nexus.contracts;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Map;

/**
 * A committed event of the log as the outbox relay publishes it on
 * {@code nexus.<service>.events.<event>}. Delivery on the bus is at most once and fast;
 * consumers that must not miss one read the log (durable subscriptions) and dedupe by position.
 *
 * @param position global position in the log
 * @param txId the writing transaction (the log's order is {@code (txId, position)})
 * @param streamId the entity it belongs to
 * @param version its version within the stream
 * @param type {@code <service>.<event>}
 * @param data its facts
 * @param metadata principal, correlation, causation and trace of the command that caused it
 * @param recordedAt ISO-8601 instant
 */
public record RelayedEvent(
      @Min(1) long position,
      @Pattern(regexp = "^[0-9]{1,20}$") @Example("812") String txId,
      @Size(min = 1, max = 200) String streamId,
      @Min(1) long version,
      @Pattern(regexp = "^[a-z]+\\.[a-z][a-z0-9-]*$") @Example("security.user-created") String type,
      Map<String, Object> data,
      Map<String, Object> metadata,
      String recordedAt) {}
