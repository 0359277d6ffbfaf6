package io.nexus.gateway;

import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * The client's address as the gateway believes it: the peer's, unless the peer is a trusted
 * proxy ({@code gateway.trustedProxies}); then the nearest address in {@code X-Forwarded-For}
 * that is not itself a trusted proxy. A client cannot pick its own address by sending the header.
 */
final class ClientAddress {
  private static final String FORWARDED_FOR = "X-Forwarded-For";
  private static final int MAX_ADDRESS_CHARS = 64;

  private final Set<String> trustedProxies;

  ClientAddress(Set<String> trustedProxies) {
    this.trustedProxies = trustedProxies;
  }

  String address(RoutingContext rc) {
    String peer = rc.request().remoteAddress() == null ? "unknown" : rc.request().remoteAddress().hostAddress();
    if (trustedProxies.isEmpty() || !trustedProxies.contains(peer)) {
      return peer;
    }
    String chain = rc.request().getHeader(FORWARDED_FOR);
    if (chain == null) {
      return peer;
    }
    String[] hops = chain.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      if (!hop.isEmpty() && !trustedProxies.contains(hop)) {
        return hop.length() > MAX_ADDRESS_CHARS ? hop.substring(0, MAX_ADDRESS_CHARS) : hop;
      }
    }
    return peer;
  }
}
