package io.nexus.security;

import io.nexus.contracts.security.Security.ApiKeyIssued;
import io.nexus.contracts.security.Security.ApiKeyRevoked;

import io.nexus.contracts.Done;
import io.nexus.contracts.Empty;
import io.nexus.contracts.Principal;
import io.nexus.contracts.Role;
import io.nexus.contracts.security.Security;
import io.nexus.contracts.security.Security.ApiKeyCreated;
import io.nexus.contracts.security.Security.ApiKeyList;
import io.nexus.contracts.security.Security.ApiKeyRef;
import io.nexus.contracts.security.Security.ApiKeyView;
import io.nexus.contracts.security.Security.CreateApiKey;
import io.nexus.contracts.security.Security.VerifyApiKey;
import io.nexus.kernel.bus.Bus;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.nexus.kernel.events.EventStore;
import io.nexus.kernel.events.NewEvent;
import java.util.List;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.UUID;

/**
 * API keys for machine clients: an organisation's admin issues one with a role; the secret is
 * shown once and stored only as a SHA-256 hash. A key acts as principal {@code apikey:<id>}.
 */
final class ApiKeys {
  /** Every key starts with this, so that leaked keys are easy to find by scanners. */
  static final String KEY_PREFIX = "nxk_";
  private static final int SECRET_BYTES = 32;


  private final Pool pool;
  private final Bus bus;
  private final EventStore events;
  private final SecureRandom random = new SecureRandom();

  ApiKeys(Pool pool, Bus bus, EventStore events) {
    this.pool = pool;
    this.bus = bus;
    this.events = events;
  }

  Future<ApiKeyCreated> create(CreateApiKey req, Call call) {
    Principal p = call.requirePrincipal();
    byte[] raw = new byte[SECRET_BYTES];
    random.nextBytes(raw);
    String key = KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    UUID id = UUID.randomUUID();
    return pool.withTransaction(tx -> tx.preparedQuery("INSERT INTO api_keys (id, org_id, name, role, key_hash, created_by) "
            + "VALUES ($1, $2, $3, $4, $5, $6) RETURNING created_at")
        .execute(Tuple.of(id, UUID.fromString(p.org()), req.name(), req.role().wire(), Sessions.sha256(key),
            p.human() ? UUID.fromString(p.subject()) : null))
        .compose(rows -> events.append(tx, Security.API_KEY_CREATED.stream(id), EventStore.NO_STREAM,
                List.of(NewEvent.of(Security.API_KEY_CREATED, new ApiKeyIssued(id.toString(), req.name(), req.role()))), call)
            .map(v -> new ApiKeyCreated(id.toString(), req.name(), req.role(), key,
                Accounts.iso(rows.iterator().next().getOffsetDateTime("created_at"))))));
  }

  Future<ApiKeyList> list(Empty req, Call call) {
    Principal p = call.requirePrincipal();
    return pool.preparedQuery("SELECT id, name, role, created_at, revoked_at FROM api_keys WHERE org_id = $1 "
            + "ORDER BY created_at")
        .execute(Tuple.of(UUID.fromString(p.org())))
        .map(rows -> {
          var out = new ArrayList<ApiKeyView>();
          for (Row r : rows) {
            out.add(new ApiKeyView(r.getUUID("id").toString(), r.getString("name"), Role.parse(r.getString("role")),
                Accounts.iso(r.getOffsetDateTime("created_at")), Accounts.iso(r.getOffsetDateTime("revoked_at"))));
          }
          return new ApiKeyList(out);
        });
  }

  Future<Done> revoke(ApiKeyRef ref, Call call) {
    Principal p = call.requirePrincipal();
    return pool.withTransaction(tx -> tx.preparedQuery("UPDATE api_keys SET revoked_at = now() "
            + "WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL")
        .execute(Tuple.of(UUID.fromString(p.org()), Accounts.uuidOrNull(ref.id())))
        .compose(rows -> {
          if (rows.rowCount() == 0) {
            return Future.failedFuture(BusFailure.notFound("no active API key " + ref.id()));
          }
          return events.append(tx, Security.API_KEY_REVOKED.stream(ref.id()), EventStore.ANY,
              List.of(NewEvent.of(Security.API_KEY_REVOKED, new ApiKeyRevoked(ref.id(), null))), call);
        }))
        .map(v -> {
          bus.publish(Security.API_KEY_INVALIDATED, ref, call.next());
          return Done.INSTANCE;
        });
  }

  Future<Principal> verify(VerifyApiKey req, Call call) {
    if (!req.key().startsWith(KEY_PREFIX)) {
      throw BusFailure.unauthorized("API key is not valid");
    }
    return pool.preparedQuery("SELECT id, org_id, role FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
        .execute(Tuple.of(Sessions.sha256(req.key())))
        .map(rows -> {
          if (rows.size() == 0) {
            throw BusFailure.unauthorized("API key is not valid");
          }
          Row r = rows.iterator().next();
          return new Principal("apikey:" + r.getUUID("id"), r.getUUID("org_id").toString(), Role.parse(r.getString("role")), null);
        });
  }
}
