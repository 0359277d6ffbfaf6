package io.nexus.security;

import io.nexus.contracts.security.Security;
import io.nexus.contracts.Empty;
import io.nexus.contracts.Principal;
import io.nexus.contracts.security.Security.UserActivity;
import io.nexus.contracts.security.Security.UserActivityList;
import io.nexus.kernel.bus.Call;
import io.nexus.kernel.events.RecordedEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.UUID;

/** The user-activity read model: built from logins and user changes in the log. */
final class UserActivityModel {
  /** The projection's name and table. */
  static final String NAME = "security.user-activity";
  static final String TABLE = "user_activity";

  private final Pool pool;

  UserActivityModel(Pool pool) {
    this.pool = pool;
  }

  /** Applies an event to {@code table} (the live one or a rebuild's shadow). */
  static Future<Void> apply(RecordedEvent e, SqlConnection tx, String table) {
    OffsetDateTime at = OffsetDateTime.ofInstant(e.recordedAt(), ZoneOffset.UTC);
    JsonObject principal = e.metadata().getJsonObject("principal");
    String principalOrg = principal == null ? null : principal.getString("org");
    if (e.is(Security.LOGGED_IN)) {
      return tx.preparedQuery("INSERT INTO " + table + " (user_id, org, logins, last_login_at) "
              + "VALUES ($1, $2, 1, $3) ON CONFLICT (user_id) DO UPDATE SET logins = " + table + ".logins + 1, "
              + "last_login_at = greatest(" + table + ".last_login_at, EXCLUDED.last_login_at)")
          .execute(Tuple.of(UUID.fromString(e.payload(Security.LOGGED_IN).user()), UUID.fromString(principalOrg), at))
          .mapEmpty();
    }
    if (e.is(Security.USER_CREATED) || e.is(Security.USER_UPDATED) || e.is(Security.ROLE_CHANGED)) {
      // a created user's org is in the event (the bootstrap admin's creation has no principal)
      String org = e.is(Security.USER_CREATED) ? e.payload(Security.USER_CREATED).org() : principalOrg;
      return tx.preparedQuery("INSERT INTO " + table
              + " (user_id, org, changes, last_change_at) VALUES ($1, $2, 1, $3) ON CONFLICT (user_id) DO UPDATE SET "
              + "changes = " + table + ".changes + 1, last_change_at = greatest(" + table + ".last_change_at, EXCLUDED.last_change_at)")
          .execute(Tuple.of(UUID.fromString(Security.USER_CREATED.idOf(e.streamId())), UUID.fromString(org), at)).mapEmpty();
    }
    return Future.succeededFuture();
  }

  Future<UserActivityList> list(Empty req, Call call) {
    Principal p = call.requirePrincipal();
    return pool.preparedQuery("SELECT user_id, logins, last_login_at, changes, last_change_at FROM " + TABLE
            + " WHERE org = $1 ORDER BY user_id").execute(Tuple.of(UUID.fromString(p.org())))
        .map(rows -> {
          var out = new ArrayList<UserActivity>();
          for (Row r : rows) {
            out.add(new UserActivity(r.getUUID("user_id").toString(), r.getLong("logins"),
                Accounts.iso(r.getOffsetDateTime("last_login_at")), r.getLong("changes"),
                Accounts.iso(r.getOffsetDateTime("last_change_at"))));
          }
          return new UserActivityList(out);
        });
  }
}
