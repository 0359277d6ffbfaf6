package io.nexus.contracts;

import io.nexus.contracts.financial.Financial;
import io.nexus.contracts.gateway.Gateway;
import io.nexus.contracts.llm.Llm;
import io.nexus.contracts.predictive.Predictive;
import io.nexus.contracts.security.Security;
import io.nexus.contracts.system.SystemFeed;
import io.nexus.contracts.vision.Vision;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The catalogue: every endpoint and topic of the mesh, and the name of each message. */
public final class Contracts {
  private Contracts() {}

  /** Every request/reply endpoint. */
  public static List<Endpoint<?, ?>> endpoints() {
    return Stream.of(Security.ENDPOINTS, Financial.ENDPOINTS, Predictive.ENDPOINTS, Vision.ENDPOINTS, Llm.ENDPOINTS, Gateway.ENDPOINTS, SystemFeed.ENDPOINTS)
        .flatMap(List::stream).toList();
  }

  /** Every kind of event the log holds, each service's in its order. */
  public static List<EventType<?>> eventTypes() {
    return Stream.of(Security.EVENTS, Financial.EVENTS, Predictive.EVENTS, Vision.EVENTS, Llm.EVENTS).flatMap(List::stream).toList();
  }

  /** The event type of a name the log holds, if any. */
  public static java.util.Optional<EventType<?>> eventType(String name) {
    return java.util.Optional.ofNullable(EventIndex.BY_NAME.get(name));
  }

  /** Built on first use, after the services' constants. */
  private static final class EventIndex {
    static final java.util.Map<String, EventType<?>> BY_NAME = eventTypes().stream()
        .collect(java.util.stream.Collectors.toUnmodifiableMap(EventType::name, t -> t));
  }

  /** Every pub/sub topic a service publishes itself (the log's events are relayed on their {@link EventType#topic()}). */
  public static List<Topic<?>> topics() {
    return Stream.of(Security.TOPICS, Financial.TOPICS, Predictive.TOPICS, Vision.TOPICS, Llm.TOPICS, Gateway.TOPICS, SystemFeed.TOPICS).flatMap(List::stream).toList();
  }

  /** The names of the services that own endpoints ({@code security}, ...), in catalogue order. */
  public static List<String> services() {
    return endpoints().stream().filter(e -> e.address().startsWith("nexus."))
        .map(Endpoint::service).distinct().toList();
  }

  /**
   * The request addresses browsers may SEND to over the bridge: exactly the endpoints whose
   * address is {@code ui.*} (a contract declares one to open it to browsers). Browsers never
   * PUBLISH; everything else on {@code ui.*} comes from services.
   */
  public static java.util.Set<String> browserRequests() {
    return endpoints().stream().map(Endpoint::address).filter(a -> a.startsWith("ui.")).collect(
        java.util.stream.Collectors.toUnmodifiableSet());
  }

  /** The endpoint bound to an address, if any. */
  public static java.util.Optional<Endpoint<?, ?>> endpoint(String address) {
    return endpoints().stream().filter(e -> e.address().equals(address)).findFirst();
  }

  /** Every message type that crosses the bus, each once. */
  public static List<Class<?>> messageTypes() {
    var types = new ArrayList<Class<?>>();
    for (var e : endpoints()) {
      addOnce(types, e.request());
      addOnce(types, e.reply());
    }
    for (var t : topics()) {
      addOnce(types, t.event());
    }
    for (var t : eventTypes()) {
      addOnce(types, t.payload());
    }
    addOnce(types, RelayedEvent.class);
    addOnce(types, Failure.class);
    addOnce(types, SystemFeed.FeedEvent.class);
    addOnce(types, Financial.ImportProgress.class);
    addOnce(types, Financial.ExaminationProgress.class);
    addOnce(types, Vision.DocumentProgress.class);
    addOnce(types, Llm.AnswerToken.class);
    addOnce(types, Llm.IndexProgress.class);
    return types;
  }

  /**
   * A message type's name across the mesh: {@code <Service>.<Message>} ({@code Security.UserView}),
   * or the simple name of a shared one ({@code Done}). Its schema's file and {@code $id} and its
   * OpenAPI component are named after it.
   */
  public static String messageName(Class<?> type) {
    Class<?> outer = type.getEnclosingClass();
    return (outer == null ? "" : outer.getSimpleName() + ".") + type.getSimpleName();
  }

  /** The file of a message type's generated schema, relative to the schemas' root: {@code Security/UserView.json}. */
  public static String schemaFile(Class<?> type) {
    return messageName(type).replace('.', '/') + ".json";
  }

  private static void addOnce(List<Class<?>> types, Class<?> t) {
    if (!types.contains(t)) {
      types.add(t);
    }
  }
}
