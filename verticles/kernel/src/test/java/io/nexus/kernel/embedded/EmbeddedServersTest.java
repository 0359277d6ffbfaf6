package io.nexus.kernel.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexus.kernel.db.PgConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EmbeddedServersTest {

  @Test
  @DisplayName("the embedded PostgreSQL asks everyone for a password, and NEXUS connects as a role that is not a superuser "
      + "but owns its database; after a restart the same holds")
  void embeddedPostgresIsLockedDown() throws Exception {
    Path data = Path.of("target", "embedded-pg-test-" + System.nanoTime(), "pg");
    for (int start = 0; start < 2; start++) {
      try (var pg = EmbeddedServers.postgres(data, 0)) {
        var app = new PgConfig(pg.url(), 1);
        assertThat(app.user()).isEqualTo(EmbeddedServers.APP_ROLE);
        try (var c = DriverManager.getConnection(app.jdbcUrl(), app.user(), app.password()); var st = c.createStatement()) {
          var rs = st.executeQuery("SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user");
          rs.next();
          assertThat(rs.getBoolean(1)).as("superuser").isFalse();
          assertThat(rs.getBoolean(2)).as("may create roles").isFalse();
          st.execute("CREATE SCHEMA IF NOT EXISTS probe");
        }
        String jdbc = app.jdbcUrl();
        assertThatThrownBy(() -> DriverManager.getConnection(jdbc.replace("/nexus", "/postgres"), "postgres", null))
            .isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> DriverManager.getConnection(jdbc, EmbeddedServers.APP_ROLE, "wrong"))
            .isInstanceOf(SQLException.class);
      }
    }
    assertThat(Files.getPosixFilePermissions(data.resolveSibling("pg.passwords")))
        .containsOnly(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  }
}
