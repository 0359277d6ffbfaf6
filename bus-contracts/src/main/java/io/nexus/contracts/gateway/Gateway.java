package io.nexus.contracts.gateway;

import io.nexus.contracts.Done;
import io.nexus.contracts.Endpoint;
import io.nexus.contracts.Role;
import io.nexus.contracts.Topic;
import io.nexus.contracts.security.Security.ParkedRef;
import java.util.List;

/**
 * The gateway's own endpoints on the bus: operations on the events its subscription (the live
 * feed, {@code gateway.live-feed}) parked. Reached through the Security service's parked-event
 * endpoints, which check that the caller is an admin of the operator organisation; no HTTP
 * route leads here directly.
 */
public final class Gateway {
  private Gateway() {}

  /** Processes an event the live feed parked once more; 422 with the reason when it fails again. */
  public static final Endpoint<ParkedRef, Done> RETRY_PARKED =
      Endpoint.command("nexus.gateway.retry-parked", ParkedRef.class, Done.class, Role.ADMIN);

  /** Drops an event the live feed parked, without publishing it; 404 when none is parked there. */
  public static final Endpoint<ParkedRef, Done> SKIP_PARKED =
      Endpoint.command("nexus.gateway.skip-parked", ParkedRef.class, Done.class, Role.ADMIN);

  public static final List<Endpoint<?, ?>> ENDPOINTS = List.of(RETRY_PARKED, SKIP_PARKED);
  public static final List<Topic<?>> TOPICS = List.of();
}
