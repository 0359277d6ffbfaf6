package io.nexus.kernel.discovery;

import io.vertx.core.Vertx;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * What this node knows of its cluster, for readiness: whether it is a member, its node id and
 * how many members there are. The node installs its cluster manager's view when it joins; a
 * Vert.x instance that never joined one (a test, a tool) reads {@link #STANDALONE}. Services read
 * it here instead of reaching into Vert.x's internals for the cluster manager.
 */
public interface Membership {
  /** Not clustered. */
  Membership STANDALONE = new Membership() {
    @Override
    public boolean clustered() {
      return false;
    }

    @Override
    public boolean active() {
      return true;
    }

    @Override
    public String nodeId() {
      return null;
    }

    @Override
    public int members() {
      return 1;
    }
  };

  /** True on a clustered node. */
  boolean clustered();

  /** True while this node is a member of its cluster. */
  boolean active();

  /** This node's id in the cluster. */
  String nodeId();

  /** How many members the cluster has, as this node sees it. */
  int members();

  /** Installs the view of {@code vertx}'s cluster; the node calls it once it has joined. */
  static void install(Vertx vertx, Membership membership) {
    synchronized (Installed.BY_VERTX) {
      Installed.BY_VERTX.put(vertx, membership);
    }
  }

  /** The view installed for {@code vertx}, or {@link #STANDALONE}. */
  static Membership of(Vertx vertx) {
    synchronized (Installed.BY_VERTX) {
      return Installed.BY_VERTX.getOrDefault(vertx, STANDALONE);
    }
  }

  /** Holder of the installed views. */
  final class Installed {
    private static final Map<Vertx, Membership> BY_VERTX = new WeakHashMap<>();

    private Installed() {}
  }
}
