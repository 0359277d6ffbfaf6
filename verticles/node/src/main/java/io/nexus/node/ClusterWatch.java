package io.nexus.node;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.nexus.contracts.system.SystemFeed;
import io.nexus.kernel.discovery.Discovery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches cluster membership. When a member leaves (stopped, crashed, cut off), one survivor —
 * the one with the lowest member id, so exactly one acts — removes the departed node's
 * discovery records and announces the departure on {@code ui.system}.
 */
final class ClusterWatch implements MembershipListener {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterWatch.class);
  /** The member attribute where vertx-hazelcast keeps a member's Vert.x node id (not the member UUID). */
  private static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  private final Vertx vertx;
  private final HazelcastClusterManager cluster;
  private final Discovery discovery;
  private java.util.UUID registration;

  ClusterWatch(Vertx vertx, HazelcastClusterManager cluster, Discovery discovery) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.discovery = discovery;
  }

  /** Starts watching, and removes records of nodes that left while none was watching. */
  Future<Void> start() {
    registration = cluster.getHazelcastInstance().getCluster().addMembershipListener(this);
    discovery.announce(SystemFeed.SystemEventType.NODE_JOINED, cluster.getNodeId(), null);
    return sweep();
  }

  /** Removes records whose node is not a member any more. */
  Future<Void> sweep() {
    Set<String> members = cluster.getNodes().stream().collect(Collectors.toSet());
    return discovery.instances().compose(records -> Future.all(records.stream()
            .map(r -> r.getMetadata().getString("node"))
            .filter(n -> n != null && !members.contains(n))
            .distinct()
            .map(discovery::removeNode)
            .toList()))
        .<Void>mapEmpty()
        .onFailure(err -> LOG.warn("could not sweep discovery records of departed nodes", err));
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    LOG.info("member joined [node: {}, members: {}]", nodeIdOf(event.getMember()), event.getMembers().size());
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    String gone = nodeIdOf(event.getMember());
    String leader = event.getMembers().stream().map(ClusterWatch::nodeIdOf).sorted().findFirst().orElse(null);
    LOG.info("member left [node: {}, members: {}, cleaning up here: {}]", gone, event.getMembers().size(),
        cluster.getNodeId().equals(leader));
    if (cluster.getNodeId().equals(leader)) {
      vertx.runOnContext(v -> {
        discovery.announce(SystemFeed.SystemEventType.NODE_LEFT, gone, null);
        discovery.removeNode(gone).onFailure(err -> LOG.warn("could not remove records of departed node [node: {}]", gone, err));
      });
    }
  }

  private static String nodeIdOf(Member m) {
    String id = m.getAttribute(NODE_ID_ATTRIBUTE);
    return id != null ? id : m.getUuid().toString();
  }

  void stop() {
    if (registration != null && cluster.getHazelcastInstance().getLifecycleService().isRunning()) {
      cluster.getHazelcastInstance().getCluster().removeMembershipListener(registration);
    }
  }
}
