package io.nexus.contracts;

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
public record RelayedEvent(long position, String txId, String streamId, long version, String type,
    Map<String, Object> data, Map<String, Object> metadata, String recordedAt) {}
