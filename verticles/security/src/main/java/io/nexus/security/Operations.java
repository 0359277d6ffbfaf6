package io.nexus.security;

import io.nexus.contracts.Done;
import io.nexus.contracts.Empty;
import io.nexus.contracts.gateway.Gateway;
import io.nexus.contracts.security.Security.ParkedEvent;
import io.nexus.contracts.security.Security.ParkedList;
import io.nexus.contracts.security.Security.ParkedRef;
import io.nexus.contracts.security.Security.ProjectionRef;
import io.nexus.contracts.security.Security.ProjectionStatus;
import io.nexus.kernel.bus.Bus;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.nexus.kernel.events.DurableSubscription;
import io.nexus.kernel.events.EventStore;
import io.nexus.kernel.events.Projection;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.Map;

/**
 * The platform operations, for admins of the operator organisation: rebuilding this service's
 * read models, and dealing with the events any subscription of the mesh parked — this service's
 * own here, the gateway's live feed by asking the gateway (after the operator check here).
 */
final class Operations {
  private final Pool pool;
  private final Bus bus;
  private final Map<String, Projection> projections;
  private final Map<String, DurableSubscription> subscriptions;

  private final Operators operators;

  Operations(Pool pool, Bus bus, Operators operators, Map<String, Projection> projections,
      Map<String, DurableSubscription> subscriptions) {
    this.pool = pool;
    this.operators = operators;
    this.bus = bus;
    this.projections = projections;
    this.subscriptions = subscriptions;
  }

  Future<ProjectionStatus> rebuild(ProjectionRef ref, Call call) {
    return operator(call).compose(v -> projection(ref).rebuild()).map(Operations::status);
  }

  Future<ProjectionStatus> status(ProjectionRef ref, Call call) {
    return operator(call).compose(v -> projection(ref).status()).map(Operations::status);
  }

  Future<ParkedList> listParked(Empty req, Call call) {
    return operator(call).compose(v -> pool.preparedQuery("SELECT p.subscription, p.position, e.type, e.stream_id, "
            + "p.attempts, p.reason, p.parked_at FROM " + EventStore.SCHEMA + ".parked_events p JOIN " + EventStore.SCHEMA
            + ".events e ON e.position = p.position ORDER BY p.parked_at")
        .execute())
        .map(rows -> {
          var out = new ArrayList<ParkedEvent>();
          for (Row r : rows) {
            out.add(new ParkedEvent(r.getString("subscription"), r.getLong("position"), r.getString("type"),
                r.getString("stream_id"), r.getInteger("attempts"), r.getString("reason"),
                Accounts.iso(r.getOffsetDateTime("parked_at"))));
          }
          return new ParkedList(out);
        });
  }

  Future<Done> retryParked(ParkedRef ref, Call call) {
    return operator(call).compose(v -> gatewayOwns(ref) ? bus.request(Gateway.RETRY_PARKED, ref, call.next())
        : subscription(ref).retryParkedOrFail(ref.position()).map(Done.INSTANCE));
  }

  Future<Done> skipParked(ParkedRef ref, Call call) {
    return operator(call).compose(v -> gatewayOwns(ref) ? bus.request(Gateway.SKIP_PARKED, ref, call.next())
        : subscription(ref).skipParkedOrFail(ref.position()).map(Done.INSTANCE));
  }

  /** The gateway's subscriptions are named {@code gateway.*}. */
  private static boolean gatewayOwns(ParkedRef ref) {
    return ref.subscription().startsWith("gateway.");
  }

  private Projection projection(ProjectionRef ref) {
    Projection p = projections.get(ref.name());
    if (p == null) {
      throw BusFailure.notFound("no projection " + ref.name() + "; known: " + projections.keySet());
    }
    return p;
  }

  private DurableSubscription subscription(ParkedRef ref) {
    DurableSubscription s = subscriptions.get(ref.subscription());
    if (s == null) {
      throw BusFailure.notFound("no subscription " + ref.subscription() + " in this service; known: " + subscriptions.keySet());
    }
    return s;
  }

  /** 403 unless the caller is an admin of the operator organisation. */
  private Future<Void> operator(Call call) {
    return operators.require(call, "run platform operations").mapEmpty();
  }

  private static ProjectionStatus status(Projection.Status s) {
    return new ProjectionStatus(s.name(), s.state(), s.replayed(), s.skipped(), s.total(), s.startedAt(), s.finishedAt(),
        s.error());
  }
}
