package io.nexus.kernel.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexus.kernel.config.ConfigException;
import io.nexus.kernel.testing.TestServers;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DatabaseTest {
  private static Vertx vertx;
  private static String url;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
    url = TestServers.freshDatabase();
  }

  @AfterAll
  static void tearDown() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a session left idle inside a transaction is ended by the server and its row locks freed")
  void idleTransactionReleasesItsLocks() throws Exception {
    var owner = Database.connect(vertx, new PgConfig(url, 1, 300), "public");
    var other = Database.connect(vertx, new PgConfig(url, 1), "public");
    try {
      other.pool().query("CREATE TABLE idle_locks (id int PRIMARY KEY, n int)").execute()
          .compose(x -> other.pool().query("INSERT INTO idle_locks VALUES (1, 0)").execute())
          .await(10, TimeUnit.SECONDS);
      // the owner locks the row and then says nothing more, as a node cut off mid-command would
      SqlConnection held = owner.pool().getConnection().await(10, TimeUnit.SECONDS);
      Transaction tx = held.begin().await(10, TimeUnit.SECONDS);
      held.query("SELECT n FROM idle_locks WHERE id = 1 FOR UPDATE").execute().await(10, TimeUnit.SECONDS);

      // without the limit this update would wait for the lock until its own statement timeout
      var updated = other.pool().withTransaction(c -> c.query("SET LOCAL statement_timeout = '10s'").execute()
              .compose(x -> c.query("UPDATE idle_locks SET n = n + 1 WHERE id = 1").execute()))
          .await(20, TimeUnit.SECONDS);
      assertThat(updated.rowCount()).isEqualTo(1);

      // and the owner's session is gone: its transaction was rolled back, not committed later
      assertThatThrownBy(() -> held.query("UPDATE idle_locks SET n = 100 WHERE id = 1").execute()
          .compose(x -> tx.commit()).await(10, TimeUnit.SECONDS)).isNotNull();
      held.close();
      var n = other.pool().query("SELECT n FROM idle_locks WHERE id = 1").execute().await(10, TimeUnit.SECONDS)
          .iterator().next().getInteger("n");
      assertThat(n).isEqualTo(1);
    } finally {
      owner.close().await(10, TimeUnit.SECONDS);
      other.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("sessions start with the configured limit and keepalives; a bad limit stops the node naming the key")
  void sessionSettings() throws Exception {
    var pg = PgConfig.from(new JsonObject().put("postgres", new JsonObject().put("url", url).put("idleInTransactionMs", 1234)));
    var db = Database.connect(vertx, pg, "public");
    try {
      var row = db.pool().query("SELECT current_setting('idle_in_transaction_session_timeout') AS idle, "
          + "current_setting('tcp_keepalives_idle') AS ka").execute().await(10, TimeUnit.SECONDS).iterator().next();
      assertThat(row.getString("idle")).isEqualTo("1234ms");
      assertThat(row.getString("ka")).isIn("10", "10s", "0"); // 0 where the server talks over a Unix socket
    } finally {
      db.close().await(10, TimeUnit.SECONDS);
    }
    assertThat(PgConfig.from(new JsonObject().put("postgres", new JsonObject().put("url", url))).idleInTransactionMs())
        .isEqualTo(PgConfig.IDLE_IN_TRANSACTION_MS);
    assertThatThrownBy(() -> PgConfig.from(new JsonObject().put("postgres", new JsonObject().put("url", url)
        .put("idleInTransactionMs", 5)))).isInstanceOf(ConfigException.class).hasMessageContaining("idleInTransactionMs");
  }
}
