package io.nexus.kernel.db;

import io.vertx.pgclient.PgException;

/**
 * The PostgreSQL error codes (SQLSTATE) NEXUS acts on, in one place: what a unique constraint
 * refusing a row looks like, and which codes say the server could not be reached or went away.
 */
public final class SqlStates {
  /** unique_violation: a row with that key exists. */
  public static final String UNIQUE_VIOLATION = "23505";
  /** Class 08, connection exceptions. */
  private static final String CONNECTION_CLASS = "08";

  private SqlStates() {}

  /** True when {@code err} is PostgreSQL refusing a duplicate key. */
  public static boolean uniqueViolation(Throwable err) {
    return err instanceof PgException pe && UNIQUE_VIOLATION.equals(pe.getSqlState());
  }

  /** True when {@code err} is PostgreSQL refusing a duplicate key of {@code constraint}. */
  public static boolean uniqueViolation(Throwable err, String constraint) {
    return uniqueViolation(err) && constraint.equals(((PgException) err).getConstraint());
  }

  /**
   * True for the codes that say the server is unreachable, not that the statement was wrong:
   * connection exceptions (class 08) and shutdowns (57P01 admin, 57P02 crash, 57P03 cannot
   * connect now).
   */
  public static boolean unreachable(Throwable err) {
    if (!(err instanceof PgException pe) || pe.getSqlState() == null) {
      return false;
    }
    String s = pe.getSqlState();
    return s.startsWith(CONNECTION_CLASS) || s.equals("57P01") || s.equals("57P02") || s.equals("57P03");
  }
}
