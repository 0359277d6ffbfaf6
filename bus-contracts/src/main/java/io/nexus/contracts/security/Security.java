package io.nexus.contracts.security;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.nexus.contracts.Done;
import io.nexus.contracts.Empty;
import io.nexus.contracts.Endpoint;
import io.nexus.contracts.EventType;
import io.nexus.contracts.Fields;
import io.nexus.contracts.Format;
import io.nexus.contracts.Nullable;
import io.nexus.contracts.OneOf;
import io.nexus.contracts.Principal;
import io.nexus.contracts.ProjectionState;
import io.nexus.contracts.Role;
import io.nexus.contracts.Topic;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;

/**
 * The Security service's whole surface: organisations, users, roles, API keys, login
 * sessions and the signing keys of access tokens.
 *
 * <p>Every request except {@link #LOGIN}, {@link #REFRESH}, {@link #JWKS} and
 * {@link #VERIFY_API_KEY} must carry a principal header; the service checks the caller's org
 * and role itself.
 */
public final class Security {
  private Security() {}

  // ---- actions (request/reply) ----

  /** Exchanges an email and password for tokens. Throttled per account and per IP (429). */
  public static final Endpoint<LoginRequest, TokenPair> LOGIN =
      Endpoint.openCommand("nexus.security.login", LoginRequest.class, TokenPair.class);

  /** Exchanges a refresh token for a new pair; the old refresh token is used up. */
  public static final Endpoint<RefreshRequest, TokenPair> REFRESH =
      Endpoint.openCommand("nexus.security.refresh", RefreshRequest.class, TokenPair.class);

  /** Ends the caller's session: its access tokens and refresh tokens stop working at once. */
  public static final Endpoint<Empty, Done> LOGOUT =
      Endpoint.command("nexus.security.logout", Empty.class, Done.class, Role.VIEWER);

  /** The public keys that verify access tokens, as a JWK set. */
  public static final Endpoint<Empty, Jwks> JWKS =
      Endpoint.openQuery("nexus.security.jwks", Empty.class, Jwks.class);

  /** Starts signing with a new key; the old one keeps verifying until its tokens expire (operator admins). */
  public static final Endpoint<Empty, KeyRotated> ROTATE_KEYS =
      Endpoint.command("nexus.security.rotate-keys", Empty.class, KeyRotated.class, Role.ADMIN);

  /**
   * Creates an organisation with its first admin. Only admins of the operator organisation
   * (the one created at bootstrap) may do this.
   */
  public static final Endpoint<CreateOrg, OrgCreated> CREATE_ORG =
      Endpoint.command("nexus.security.create-org", CreateOrg.class, OrgCreated.class, Role.ADMIN);

  /** The caller's own user. */
  public static final Endpoint<Empty, UserView> ME =
      Endpoint.query("nexus.security.me", Empty.class, UserView.class, Role.VIEWER);

  /** Creates a user in the caller's organisation (admin). */
  public static final Endpoint<CreateUser, UserView> CREATE_USER =
      Endpoint.command("nexus.security.create-user", CreateUser.class, UserView.class, Role.ADMIN);

  /** One user of the caller's organisation; another organisation's user is 404. */
  public static final Endpoint<UserRef, UserView> GET_USER =
      Endpoint.query("nexus.security.get-user", UserRef.class, UserView.class, Role.VIEWER);

  /** The users of the caller's organisation (admin). */
  public static final Endpoint<Empty, UserList> LIST_USERS =
      Endpoint.query("nexus.security.list-users", Empty.class, UserList.class, Role.ADMIN);

  /** Changes a user's name or password: the user themself, or an admin. Never the role. */
  public static final Endpoint<UpdateUser, UserView> UPDATE_USER =
      Endpoint.command("nexus.security.update-user", UpdateUser.class, UserView.class, Role.VIEWER);

  /**
   * Restores a user's name and role as they were at a version, by appending compensating
   * events: history is never rewritten (admin; not one's own role).
   */
  public static final Endpoint<RevertUser, UserView> REVERT_USER =
      Endpoint.command("nexus.security.revert-user", RevertUser.class, UserView.class, Role.ADMIN);

  /** The caller's organisation's audit trail, filtered by actor, entity and time (admin). */
  public static final Endpoint<AuditQuery, AuditPage> QUERY_AUDIT =
      Endpoint.query("nexus.security.query-audit", AuditQuery.class, AuditPage.class, Role.ADMIN);

  /**
   * Walks the keyed hash chain and names the first broken row: all of it for operator admins, the
   * caller's organisation's own chain for a tenant's admin.
   */
  public static final Endpoint<Empty, AuditVerification> VERIFY_AUDIT =
      Endpoint.query("nexus.security.verify-audit", Empty.class, AuditVerification.class, Role.ADMIN);

  /** Per user of the caller's organisation: logins and changes, from the user-activity read model (admin). */
  public static final Endpoint<Empty, UserActivityList> USER_ACTIVITY =
      Endpoint.query("nexus.security.user-activity", Empty.class, UserActivityList.class, Role.ADMIN);

  /** Starts rebuilding one of the service's read models from the log (operator admins). */
  public static final Endpoint<ProjectionRef, ProjectionStatus> REBUILD_PROJECTION =
      Endpoint.command("nexus.security.rebuild-projection", ProjectionRef.class, ProjectionStatus.class, Role.ADMIN);

  /** Where the latest rebuild of a read model stands (operator admins). */
  public static final Endpoint<ProjectionRef, ProjectionStatus> PROJECTION_STATUS =
      Endpoint.query("nexus.security.projection-status", ProjectionRef.class, ProjectionStatus.class, Role.ADMIN);

  /**
   * Events any subscription gave up on (this service's and the gateway's live feed), with the
   * reason (operator admins).
   */
  public static final Endpoint<Empty, ParkedList> LIST_PARKED =
      Endpoint.query("nexus.security.list-parked", Empty.class, ParkedList.class, Role.ADMIN);

  /**
   * Processes a parked event once more (the gateway's, by asking it); 404 when none is parked
   * there, 422 with the reason when it fails again (operator admins).
   */
  public static final Endpoint<ParkedRef, Done> RETRY_PARKED =
      Endpoint.command("nexus.security.retry-parked", ParkedRef.class, Done.class, Role.ADMIN);

  /** Drops a parked event without processing it (the gateway's, by asking it) (operator admins). */
  public static final Endpoint<ParkedRef, Done> SKIP_PARKED =
      Endpoint.command("nexus.security.skip-parked", ParkedRef.class, Done.class, Role.ADMIN);

  /** Changes a user's role (admin; not one's own). */
  public static final Endpoint<ChangeRole, UserView> CHANGE_ROLE =
      Endpoint.command("nexus.security.change-role", ChangeRole.class, UserView.class, Role.ADMIN);

  /**
   * Disables a user of the caller's organisation (admin; not oneself): every session of theirs
   * ends at once, the API keys they issued are revoked, and they can no longer log in.
   */
  public static final Endpoint<UserTarget, UserDisabled> DISABLE_USER =
      Endpoint.command("nexus.security.disable-user", UserTarget.class, UserDisabled.class, Role.ADMIN);

  /** Ends every session of a user of the caller's organisation at once (admin): their next request is refused. */
  public static final Endpoint<UserTarget, SessionsEnded> END_SESSIONS =
      Endpoint.command("nexus.security.end-sessions", UserTarget.class, SessionsEnded.class, Role.ADMIN);

  /** Issues an API key for a machine client (admin). The secret is shown once. */
  public static final Endpoint<CreateApiKey, ApiKeyCreated> CREATE_API_KEY =
      Endpoint.command("nexus.security.create-api-key", CreateApiKey.class, ApiKeyCreated.class, Role.ADMIN);

  /** The organisation's API keys, without secrets (admin). */
  public static final Endpoint<Empty, ApiKeyList> LIST_API_KEYS =
      Endpoint.query("nexus.security.list-api-keys", Empty.class, ApiKeyList.class, Role.ADMIN);

  /** Revokes an API key (admin). */
  public static final Endpoint<ApiKeyRef, Done> REVOKE_API_KEY =
      Endpoint.command("nexus.security.revoke-api-key", ApiKeyRef.class, Done.class, Role.ADMIN);

  /** Resolves an API key secret to the principal it stands for; 401 when unknown or revoked. */
  public static final Endpoint<VerifyApiKey, Principal> VERIFY_API_KEY =
      Endpoint.openQuery("nexus.security.verify-api-key", VerifyApiKey.class, Principal.class);

  // ---- live notices (pub/sub, published by the service itself, not kept in the log) ----

  /** A login session ended before its tokens expired (logout); its access tokens are dead. */
  public static final Topic<SessionRevoked> SESSION_REVOKED =
      new Topic<>("nexus.security.events.session-revoked", SessionRevoked.class);

  /** A new signing key is active; verifiers should refresh their JWK set. */
  public static final Topic<KeyRotated> KEYS_ROTATED =
      new Topic<>("nexus.security.events.keys-rotated", KeyRotated.class);

  /**
   * An API key no longer works; verifiers drop it from their caches. (Its own address: the log's
   * {@link #API_KEY_REVOKED} is relayed on {@code nexus.security.events.api-key-revoked}.)
   */
  public static final Topic<ApiKeyRef> API_KEY_INVALIDATED =
      new Topic<>("nexus.security.events.api-key-invalidated", ApiKeyRef.class);

  /** Every endpoint of this service. */
  public static final List<Endpoint<?, ?>> ENDPOINTS = List.of(LOGIN, REFRESH, LOGOUT, JWKS,
      ROTATE_KEYS, CREATE_ORG, ME, CREATE_USER, GET_USER, LIST_USERS, UPDATE_USER, CHANGE_ROLE, REVERT_USER, QUERY_AUDIT, VERIFY_AUDIT, USER_ACTIVITY, REBUILD_PROJECTION, PROJECTION_STATUS,
      LIST_PARKED, RETRY_PARKED, SKIP_PARKED,
      CREATE_API_KEY, LIST_API_KEYS, REVOKE_API_KEY, VERIFY_API_KEY, DISABLE_USER, END_SESSIONS);

  /** Every live notice of this service. */
  public static final List<Topic<?>> TOPICS = List.of(SESSION_REVOKED, KEYS_ROTATED, API_KEY_INVALIDATED);

  // ---- events of the log (relayed on nexus.security.events.<event>); only admins see them on the live feed ----

  /** An organisation was created (at bootstrap, or by an operator admin). */
  public static final EventType<OrgFounded> ORG_CREATED =
      new EventType<>("security.org-created", OrgFounded.class, "org", Role.ADMIN);

  /** A user was created. */
  public static final EventType<UserCreated> USER_CREATED =
      new EventType<>("security.user-created", UserCreated.class, "user", Role.ADMIN);

  /** A user's name or password changed (or a revert restored the name). */
  public static final EventType<UserUpdated> USER_UPDATED =
      new EventType<>("security.user-updated", UserUpdated.class, "user", Role.ADMIN);

  /** A user's role changed (or a revert restored it). */
  public static final EventType<RoleChanged> ROLE_CHANGED =
      new EventType<>("security.role-changed", RoleChanged.class, "user", Role.ADMIN);

  /** An admin disabled a user. */
  public static final EventType<DisabledFlag> USER_DISABLED =
      new EventType<>("security.user-disabled", DisabledFlag.class, "user", Role.ADMIN);

  /** An admin ended every session of a user (or a password or role change did). */
  public static final EventType<UserSessionsEnded> SESSIONS_ENDED_FOR_USER =
      new EventType<>("security.sessions-ended", UserSessionsEnded.class, "user-sessions", Role.ADMIN);

  /** A user logged in: a session opened. */
  public static final EventType<LoggedIn> LOGGED_IN =
      new EventType<>("security.logged-in", LoggedIn.class, "session", Role.ADMIN);

  /** A session ended by logout. */
  public static final EventType<LoggedOut> LOGGED_OUT =
      new EventType<>("security.logged-out", LoggedOut.class, "session", Role.ADMIN);

  /** An API key was issued (its secret is never in the log). */
  public static final EventType<ApiKeyIssued> API_KEY_CREATED =
      new EventType<>("security.api-key-created", ApiKeyIssued.class, "apikey", Role.ADMIN);

  /** An API key was revoked: by an admin, or because its creator was disabled. */
  public static final EventType<ApiKeyRevoked> API_KEY_REVOKED =
      new EventType<>("security.api-key-revoked", ApiKeyRevoked.class, "apikey", Role.ADMIN);

  /** The platform signs with a new key. */
  public static final EventType<KeyRotated> SIGNING_KEY_ROTATED =
      new EventType<>("security.signing-key-rotated", KeyRotated.class, "signing-keys", Role.ADMIN);

  /** Every event this service writes to the log. */
  public static final List<EventType<?>> EVENTS = List.of(ORG_CREATED, USER_CREATED, USER_UPDATED, ROLE_CHANGED,
      USER_DISABLED, SESSIONS_ENDED_FOR_USER, LOGGED_IN, LOGGED_OUT, API_KEY_CREATED, API_KEY_REVOKED, SIGNING_KEY_ROTATED);

  // ---- the data of its events ----

  public record OrgFounded(@Fields.Id String id, @Size(min = 1, max = 200) String name) {}

  public record UserCreated(
      @Fields.Id String id,
      @Fields.Id String org,
      @Fields.Email String email,
      @Size(max = 200) String name,
      Role role,
      String createdAt) {}

  /**
   * @param name the new name, absent when unchanged
   * @param revertedTo the version a revert restored, absent otherwise
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record UserUpdated(@Nullable @Size(max = 200) String name, boolean passwordChanged, @Nullable Long revertedTo) {}

  /** @param revertedTo the version a revert restored, absent otherwise */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RoleChanged(
      Role role,
      Role previousRole,
      @Nullable Long revertedTo) {}

  /** The user-disabled event's data: {@code {"disabled": true}}. */
  public record DisabledFlag(boolean disabled) {}

  /** @param sessions how many live sessions ended */
  public record UserSessionsEnded(@Fields.Id String user, int sessions) {}

  /** @param clientIp the address the login came from, when the gateway passed it */
  public record LoggedIn(@Fields.Id String user, @Nullable String clientIp) {}

  public record LoggedOut(@Fields.Id String user) {}

  public record ApiKeyIssued(
      @Fields.Id String id,
      @Size(min = 1, max = 200) String name,
      Role role) {}

  /** @param because why, when not an admin's revocation ({@code creator disabled}); absent otherwise */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ApiKeyRevoked(@Fields.Id String id, @Nullable String because) {}

  // ---- messages ----

  /** @param clientIp the caller's address as the gateway saw it, for per-IP throttling */
  public record LoginRequest(
      @Size(min = 1, max = 254) String email,
      @Size(min = 1, max = 1024) String password,
      @Nullable @Size(max = 64) String clientIp) {}

  /** An access token (JWT) and the opaque refresh token of the same session. */
  public record TokenPair(
      @Size(min = 1) String accessToken,
      @Size(min = 1) String refreshToken,
      @OneOf("Bearer") String tokenType,
      @Min(1) long expiresIn)
      implements io.nexus.contracts.CarriesSecret {}

  public record RefreshRequest(
      @Size(min = 1, max = 512) String refreshToken,
      @Nullable @Size(max = 64) String clientIp) {}

  /** A JWK set: {@code {"keys": [...]}} with public keys only. */
  public record Jwks(List<Map<String, Object>> keys) {}

  public record KeyRotated(@Size(min = 1) String kid) {}

  public record CreateOrg(
      @Size(min = 1, max = 200) String name,
      @Fields.Email String adminEmail,
      @Size(min = 1, max = 200) String adminName,
      @Fields.NewPassword String adminPassword) {}

  public record OrgCreated(@Fields.Id String id, @Size(max = 200) String name, UserView admin) {}

  /**
   * A user; {@code version} is the version of its event stream, sent as the ETag.
   *
   * @param disabledAt when an admin disabled the user (they can no longer log in), or null
   */
  public record UserView(
      @Fields.Id String id,
      @Fields.Id String org,
      @Fields.Email String email,
      @Size(max = 200) String name,
      Role role,
      @Format("date-time") String createdAt,
      @Min(1) long version,
      @Nullable @Format("date-time") @JsonPropertyDescription("when an admin disabled the user, or null") String disabledAt) {

    /** An active user. */
    public UserView(String id, String org, String email, String name, Role role, String createdAt, long version) {
      this(id, org, email, name, role, createdAt, version, null);
    }
  }

  public record UserList(List<UserView> users) {}

  public record CreateUser(
      @Fields.Email String email,
      @Fields.NewPassword String password,
      @Size(min = 1, max = 200) String name,
      Role role) {}

  /** @param asOf null for now, else a version number or an ISO-8601 instant: the user as it was then */
  public record UserRef(
      @Fields.Id String id,
      @Nullable @Size(max = 64) @JsonPropertyDescription("a version number or an ISO-8601 instant") String asOf) {}

  /** Any field left null is left unchanged; a new password needs the current one from the user themself. */
  public record UpdateUser(
      @Fields.Id String id,
      @Nullable @Size(min = 1, max = 200) String name,
      @Nullable @Fields.NewPassword String password,
      @Nullable @Size(min = 1, max = 1024) String currentPassword,
      @Nullable @Min(1) Long expectedVersion) {}

  public record ChangeRole(
      @Fields.Id String id,
      Role role,
      @Nullable @Min(1) Long expectedVersion) {}

  /** A user an admin acts on. */
  public record UserTarget(@Fields.Id String id) {}

  /** A user was disabled: how many sessions ended and API keys (issued by them) were revoked. */
  public record UserDisabled(@Fields.Id String id, @Min(0) int sessionsEnded, @Min(0) int apiKeysRevoked) {}

  /** How many live sessions of a user were ended. */
  public record SessionsEnded(@Fields.Id String id, @Min(0) int sessionsEnded) {}

  public record RevertUser(@Fields.Id String id, @Min(1) long version, @Nullable @Min(1) Long expectedVersion) {}

  /** Every filter is optional; {@code from}/{@code to} are ISO-8601 instants; {@code limit} defaults to 100. */
  public record AuditQuery(
      @Nullable @Size(max = 100) String actor,
      @Nullable @Size(max = 200) String entity,
      @Nullable @Size(max = 64) String from,
      @Nullable @Size(max = 64) String to,
      @Nullable @Min(1) @Max(1000) Integer limit) {}

  /**
   * One audited command.
   *
   * @param seq its place in the chain
   * @param position the event's position in the log
   * @param actor who (principal subject), null for the system
   * @param entity the stream (entity) it changed
   * @param action the event type
   * @param hash SHA-256 over the previous row's hash and this row's canonical content
   */
  public record AuditEntry(
      long seq,
      long position,
      String at,
      @Nullable String actor,
      @Nullable String org,
      String entity,
      String action,
      Map<String, Object> data,
      String hash) {}

  public record AuditPage(List<AuditEntry> entries) {}

  public record UserActivity(
      String userId,
      @Min(0) long logins,
      @Nullable String lastLoginAt,
      @Min(0) long changes,
      @Nullable String lastChangeAt) {}

  public record UserActivityList(List<UserActivity> users) {}

  public record ProjectionRef(@Size(min = 1, max = 100) String name) {}

  /**
   * @param skipped events the read model could not apply and left out, as its live subscription parks them
   */
  public record ProjectionStatus(
      String name,
      ProjectionState state,
      @Min(0) long replayed,
      @Min(0) long skipped,
      @Min(0) long total,
      String startedAt,
      @Nullable String finishedAt,
      @Nullable String error) {}

  public record ParkedEvent(
      String subscription,
      @Min(0) long position,
      String type,
      String streamId,
      @Min(0) int attempts,
      String reason,
      String parkedAt) {}

  public record ParkedList(List<ParkedEvent> events) {}

  public record ParkedRef(@Size(min = 1, max = 100) String subscription, @Min(1) long position) {}

  /** @param brokenAt the seq of the first row whose hash does not match, or null when valid */
  public record AuditVerification(boolean valid, @Min(0) long checked, @Nullable Long brokenAt, String detail) {}

  public record CreateApiKey(@Size(min = 1, max = 200) String name, Role role) {}

  /** @param key the secret, returned only here */
  public record ApiKeyCreated(
      @Fields.Id String id,
      @Size(max = 200) String name,
      Role role,
      @Size(min = 20) String key,
      @Format("date-time") String createdAt)
      implements io.nexus.contracts.CarriesSecret {}

  public record ApiKeyView(
      @Fields.Id String id,
      @Size(max = 200) String name,
      Role role,
      @Format("date-time") String createdAt,
      @Nullable @Format("date-time") String revokedAt) {}

  public record ApiKeyList(List<ApiKeyView> keys) {}

  public record ApiKeyRef(@Fields.Id String id) {}

  public record VerifyApiKey(@Size(min = 1, max = 200) String key) {}

  /**
   * @param session the session id ({@code sid} claim of its access tokens)
   * @param expiresAt epoch seconds after which every access token of the session is dead anyway
   */
  public record SessionRevoked(@Size(min = 1, max = 64) String session, @Min(0) long expiresAt) {}
}
