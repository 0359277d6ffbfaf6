package io.nexus.kernel.bus;

import io.nexus.contracts.Codec;
import io.nexus.contracts.Endpoint;
import io.nexus.contracts.ErrorCode;
import io.nexus.contracts.Failure;
import io.nexus.contracts.Schemas;
import io.nexus.contracts.Topic;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The typed event bus: requests, replies and events are records from {@code bus-contracts}.
 * Between services ({@code nexus.*} addresses) a record crosses the bus as itself when the
 * receiver is in this JVM and as JSON only when it leaves it ({@link RecordCodec}), checked
 * against its schema where it arrives from another node; what browsers reach ({@code ui.*})
 * travels as JSON, checked where it is consumed. Failures travel as {@link ReplyException}s
 * whose code is an HTTP status and whose message is a {@link Failure}.
 */
public final class Bus {
  private static final Logger LOG = LoggerFactory.getLogger(Bus.class);
  private static final long DEPENDENCY_RETRY_AFTER_S = 2;

  private final Vertx vertx;
  private final long timeoutMs;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final Faults faults;
  private final String nodeId;
  private final PrincipalSeal seal;

  private Bus(Vertx vertx, String nodeId, long timeoutMs) {
    this.vertx = vertx;
    this.seal = PrincipalSeal.of(vertx);
    this.timeoutMs = timeoutMs;
    this.faults = Faults.of(vertx);
    this.nodeId = nodeId;
    RecordCodec.register(vertx);
  }

  /** True for the addresses between services, where records travel without a copy; false for {@code ui.*} (JSON). */
  private static boolean between(String address) {
    return address.startsWith("nexus.");
  }

  /** Options that send a record as itself (in this JVM) or as typed JSON (to another node). */
  private static DeliveryOptions asRecord(DeliveryOptions opts) {
    return opts.setCodecName(RecordCodec.NAME);
  }

  /** A message body as a {@code type}: the record itself, or JSON checked against its schema. */
  private static <T> T decode(Class<T> type, Object body) {
    if (type.isInstance(body)) {
      return type.cast(body);
    }
    if (body instanceof RecordCodec.Refused refused) {
      throw BusFailure.badRequest(refused.problem());
    }
    if (!(body instanceof JsonObject json)) {
      throw BusFailure.badRequest("body must be a JSON object");
    }
    var violation = Schemas.violation(type, json);
    if (violation.isPresent()) {
      throw BusFailure.badRequest(violation.get());
    }
    return Codec.fromJson(json, type);
  }

  /** The seal principals travel under on this node. */
  public PrincipalSeal seal() {
    return seal;
  }

  /** This node's cluster id, or null when not clustered. */
  public String nodeId() {
    return nodeId;
  }

  /**
   * The address of one instance of an endpoint: every handler is also bound on
   * {@code <address>@<node>}, so that a caller can choose the instance (and keep a breaker per
   * instance) instead of leaving the choice to the bus's round robin.
   */
  public static String instanceAddress(String address, String node) {
    return address + "@" + node;
  }

  /** A bus whose requests time out after {@code timeoutMs}, with no per-instance addresses (tests, tools). */
  public static Bus on(Vertx vertx, long timeoutMs) {
    return new Bus(vertx, null, timeoutMs);
  }

  /**
   * A service's bus: requests time out after {@code timeoutMs}; handlers are also bound at their
   * per-instance address on this node, whose id the node put in the configuration ({@code node.id}).
   */
  public static Bus on(Vertx vertx, io.vertx.core.json.JsonObject config, long timeoutMs) {
    var node = config.getJsonObject("node");
    return new Bus(vertx, node == null ? null : node.getString("id"), timeoutMs);
  }

  /**
   * Sends a request and decodes the reply. Fails with a {@link BusFailure}: the service's own,
   * 503 when no instance is listening, 503 when none answered within the timeout.
   */
  public <Q, R> Future<R> request(Endpoint<Q, R> endpoint, Q body, Call call) {
    return request(endpoint, body, call, timeoutMs);
  }

  /** As {@link #request(Endpoint, Object, Call)} with its own timeout. */
  public <Q, R> Future<R> request(Endpoint<Q, R> endpoint, Q body, Call call, long timeout) {
    return request(endpoint, body, call, timeout, null);
  }

  /** As {@link #request(Endpoint, Object, Call, long)}, to the instance on {@code node} (null: any instance). */
  public <Q, R> Future<R> request(Endpoint<Q, R> endpoint, Q body, Call call, long timeout, String node) {
    DeliveryOptions opts = call.toDelivery(new DeliveryOptions().setSendTimeout(timeout), seal);
    String address = node == null ? endpoint.address() : instanceAddress(endpoint.address(), node);
    Future<Message<Object>> sent = between(endpoint.address())
        ? vertx.eventBus().request(address, body, asRecord(opts))
        : vertx.eventBus().request(address, Codec.toJson(body), opts);
    return sent.recover(err -> Future.failedFuture(toBusFailure(endpoint.address(), err)))
        .map(reply -> {
          try {
            return decode(endpoint.reply(), reply.body());
          } catch (BusFailure unfit) {
            // the service answered with something that is not its reply: the caller's request was fine
            LOG.error("a reply does not fit its record [address: {}, problem: {}]", endpoint.address(), unfit.getMessage());
            throw new BusFailure(ErrorCode.INTERNAL, "internal error; correlation id " + call.correlationId(), null);
          }
        });
  }

  /** Publishes an event to every subscriber on every node. */
  public <E> void publish(Topic<E> topic, E event, Call call) {
    DeliveryOptions opts = call.toDelivery(new DeliveryOptions(), seal);
    if (between(topic.address())) {
      vertx.eventBus().publish(topic.address(), event, asRecord(opts));
    } else {
      vertx.eventBus().publish(topic.address(), Codec.toJson(event), opts);
    }
  }

  /**
   * Binds a handler to an endpoint. The caller must have the endpoint's least role (401 without
   * a principal, 403 below it); the request is validated against its schema (400 naming the
   * field when not), decoded, and handed to {@code logic}; its result is the reply.
   */
  public <Q, R> Bus handle(Endpoint<Q, R> endpoint, BiFunction<Q, Call, Future<R>> logic) {
    // the fault switch of tests and drills wraps the handler only on a node that installed one
    io.vertx.core.Handler<Message<Object>> handler = faults.decorate(endpoint.service(), vertx,
        msg -> serve(endpoint, logic, msg));
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(endpoint.address(), handler);
    if (nodeId != null) {
      consumers.add(vertx.eventBus().consumer(instanceAddress(endpoint.address(), nodeId), handler));
    }
    consumers.add(consumer);
    return this;
  }

  /**
   * Listens to the relayed events of a type of the log: each arrives decoded into its record,
   * with the entity of its stream. At most once, like every topic: a consumer that must not miss
   * one reads the log (a durable subscription).
   */
  public <E> Bus subscribe(io.nexus.contracts.EventType<E> type, BiConsumer<io.nexus.contracts.Relayed<E>, Call> listener) {
    return subscribe(type.relayed(), (ev, call) -> {
      E event;
      try {
        event = type.decode(new JsonObject(ev.data()));
      } catch (IllegalArgumentException e) {
        LOG.warn("dropped relayed event whose data does not fit its record [type: {}, position: {}]", ev.type(),
            ev.position());
        return;
      }
      String entity = ev.streamId().equals(type.stream()) ? null : type.idOf(ev.streamId());
      listener.accept(new io.nexus.contracts.Relayed<>(ev, event, entity), call);
    });
  }

  /** Subscribes to a topic; events that fail their schema are logged and dropped. */
  public <E> Bus subscribe(Topic<E> topic, BiConsumer<E, Call> listener) {
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(topic.address(), msg -> {
      E event;
      try {
        event = decode(topic.event(), msg.body());
      } catch (BusFailure bad) {
        LOG.warn("dropped event that fails its schema [topic: {}, problem: {}]", topic.address(), bad.getMessage());
        return;
      }
      Call call;
      try {
        call = Call.fromHeaders(msg.headers(), seal);
      } catch (BusFailure forged) {
        LOG.warn("dropped event whose principal was refused [topic: {}, problem: {}]", topic.address(), forged.getMessage());
        return;
      }
      listener.accept(event, call);
    });
    consumers.add(consumer);
    return this;
  }

  /** Waits until every binding is registered cluster-wide. */
  public Future<Bus> bind() {
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).map(this);
  }

  /** The addresses bound by this bus (not the per-instance ones). */
  public List<String> addresses() {
    return consumers.stream().map(MessageConsumer::address).filter(a -> !a.contains("@")).toList();
  }

  /** Unregisters every binding. */
  public Future<Void> unbind() {
    return Future.all(consumers.stream().map(MessageConsumer::unregister).toList()).mapEmpty();
  }

  private <Q, R> void serve(Endpoint<Q, R> endpoint, BiFunction<Q, Call, Future<R>> logic, Message<Object> msg) {
    Call call;
    try {
      call = Call.fromHeaders(msg.headers(), seal);
    } catch (BusFailure forged) {
      LOG.warn("refused a request whose principal is not sealed by this cluster [address: {}, problem: {}]",
          endpoint.address(), forged.getMessage());
      msg.fail(forged.code().status(), Codec.toJson(forged.toFailure()).encode());
      return;
    }
    Future<R> result;
    try {
      if (!endpoint.open()) {
        // the endpoint's least role, from its constant: no handler repeats it
        call.require(endpoint.leastRole());
      }
      result = logic.apply(decode(endpoint.request(), msg.body()), call);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        if (between(endpoint.address())) {
          msg.reply(ar.result(), asRecord(new DeliveryOptions()));
        } else {
          msg.reply(Codec.toJson(ar.result()));
        }
      } else {
        Failure f = toFailure(endpoint.address(), call, ar.cause());
        msg.fail(f.status(), Codec.toJson(f).encode());
      }
    });
  }

  /** Turns any error from logic into what may leave the node: never a stack trace. */
  static Failure toFailure(String address, Call call, Throwable err) {
    if (err instanceof BusFailure bf) {
      return bf.toFailure();
    }
    if (err instanceof IllegalArgumentException iae) {
      return Failure.of(ErrorCode.BAD_REQUEST, iae.getMessage());
    }
    if (unreachable(err)) {
      LOG.warn("a dependency is unreachable [address: {}, correlation: {}, cause: {}]", address, call.correlationId(),
          String.valueOf(err));
      return new Failure(ErrorCode.UNAVAILABLE.status(), "a dependency (database or cache) is unreachable; retry shortly",
          DEPENDENCY_RETRY_AFTER_S, null);
    }
    LOG.error("handler failed [address: {}, correlation: {}]", address, call.correlationId(), err);
    return Failure.of(ErrorCode.INTERNAL, "internal error; correlation id " + call.correlationId());
  }

  /**
   * True for errors that say a dependency could not be reached, not that the request was wrong
   * or the code broken: refused or lost connections, PostgreSQL connection errors (SQLSTATE
   * class 08) and shutdowns (57P01-57P03), timeouts. They become 503 with Retry-After.
   */
  static boolean unreachable(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      // a connection refused or reset (SocketException, or the bare IOException "Connection reset by
      // peer" a socket write raises), a channel closed under a write (ClosedChannelException); not the
      // other I/O errors (bad input, character coding), which say nothing of a dependency
      if (t instanceof java.net.SocketException || t.getClass() == java.io.IOException.class
          || t instanceof java.nio.channels.ClosedChannelException
          || t instanceof io.vertx.sqlclient.ClosedConnectionException
          || t instanceof java.util.concurrent.TimeoutException
          || t instanceof io.netty.channel.ConnectTimeoutException) {
        return true;
      }
      if (io.nexus.kernel.db.SqlStates.unreachable(t)) {
        return true;
      }
    }
    return false;
  }

  /** Rebuilds a failure received from the bus. */
  public static BusFailure toBusFailure(String address, Throwable err) {
    if (err instanceof BusFailure bf) {
      return bf;
    }
    if (err instanceof ReplyException re) {
      switch (re.failureType()) {
        case NO_HANDLERS:
          return BusFailure.undelivered("no instance of " + serviceOf(address) + " is running");
        case TIMEOUT:
          return BusFailure.timedOut(serviceOf(address) + " did not answer in time");
        default:
          return fromRecipient(re);
      }
    }
    return new BusFailure(ErrorCode.INTERNAL, "request to " + address + " failed");
  }

  private static BusFailure fromRecipient(ReplyException re) {
    try {
      return BusFailure.of(new JsonObject(re.getMessage()).mapTo(Failure.class));
    } catch (RuntimeException notOurs) {
      return new BusFailure(ErrorCode.of(re.failureCode()), String.valueOf(re.getMessage()));
    }
  }

  private static String serviceOf(String address) {
    String[] parts = address.split("\\.");
    return parts.length > 1 ? parts[1] : address;
  }
}
