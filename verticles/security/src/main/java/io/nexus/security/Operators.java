package io.nexus.security;

import io.nexus.contracts.Principal;
import io.nexus.contracts.Role;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/**
 * Who operates the platform: the admins of the operator organisation (the one made at
 * bootstrap). Platform-wide powers — creating organisations, rotating the token signing keys,
 * verifying the whole audit chain, rebuilding read models, parked events — are theirs alone;
 * a tenant organisation's admin has them only over their own organisation, where at all.
 */
final class Operators {
  private final Pool pool;

  Operators(Pool pool) {
    this.pool = pool;
  }

  /** True when {@code p} acts in the operator organisation (whatever the role). */
  Future<Boolean> isOperatorOrg(Principal p) {
    return pool.preparedQuery("SELECT operator FROM orgs WHERE id = $1").execute(Tuple.of(UUID.fromString(p.org())))
        .map(rows -> rows.size() == 1 && Boolean.TRUE.equals(rows.iterator().next().getBoolean(0)));
  }

  /** The caller, when an admin of the operator organisation; 403 naming {@code what} otherwise. */
  Future<Principal> require(Call call, String what) {
    Principal p = call.require(Role.ADMIN);
    return isOperatorOrg(p).compose(yes -> yes ? Future.succeededFuture(p)
        : Future.failedFuture(BusFailure.forbidden("only admins of the operator organisation " + what)));
  }
}
