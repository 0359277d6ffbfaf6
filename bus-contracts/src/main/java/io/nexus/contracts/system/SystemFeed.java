package io.nexus.contracts.system;

import io.nexus.contracts.Empty;
import io.nexus.contracts.Endpoint;
import io.nexus.contracts.Principal;
import io.nexus.contracts.Topic;
import java.util.List;

/**
 * The mesh's own surface: the public {@code ui.system} feed of nodes and service instances,
 * and the bridge's diagnostics.
 */
public final class SystemFeed {
  private SystemFeed() {}

  /** Node joined/left, service instance up/down. Public: a browser may read it unauthenticated. */
  public static final Topic<SystemEvent> SYSTEM = new Topic<>("ui.system", SystemEvent.class);

  /**
   * Replies with the principal the mesh sees for the caller: the bridge replaces whatever
   * principal header a browser sent with the one from its verified token.
   */
  public static final Endpoint<Empty, Principal> WHOAMI =
      Endpoint.query("ui.whoami", Empty.class, Principal.class);

  public static final List<Endpoint<?, ?>> ENDPOINTS = List.of(WHOAMI);
  public static final List<Topic<?>> TOPICS = List.of(SYSTEM);

  /** Kinds of {@link SystemEvent}. */
  public static final String NODE_JOINED = "node-joined";
  public static final String NODE_LEFT = "node-left";
  public static final String SERVICE_UP = "service-up";
  public static final String SERVICE_DOWN = "service-down";

  /**
   * @param type one of node-joined, node-left, service-up, service-down
   * @param node the cluster node id
   * @param service the service name for service events, else null
   * @param at ISO-8601 instant
   */
  public record SystemEvent(String type, String node, String service, String at) {}
}
