package io.nexus.contracts;

/**
 * A committed event as a subscriber of its {@link EventType} receives it from the relay: the
 * relayed message, its data as the event's record, and the entity its stream is of.
 *
 * @param raw what the relay published
 * @param event the data, decoded
 * @param entityId the id in its stream's name ({@code <kind>-<id>}), or null for a kind's one stream
 * @param <E> the payload type
 */
public record Relayed<E>(RelayedEvent raw, E event, String entityId) {}
