package io.nexus.node;

import io.nexus.financial.FinancialVerticle;
import io.nexus.gateway.GatewayVerticle;
import io.nexus.llm.LlmVerticle;
import io.nexus.predictive.PredictiveVerticle;
import io.nexus.security.SecurityVerticle;
import io.nexus.vision.VisionVerticle;
import io.vertx.core.Deployable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The services this jar can run, in deployment order: services first, the gateway last (it
 * waits for the Security service's keys and should only take traffic once services are up).
 */
final class ServiceCatalog {
  private static final Map<String, Supplier<Deployable>> ALL = new LinkedHashMap<>();

  static {
    ALL.put(SecurityVerticle.SERVICE, SecurityVerticle::new);
    ALL.put(FinancialVerticle.SERVICE, FinancialVerticle::new);
    ALL.put(PredictiveVerticle.SERVICE, PredictiveVerticle::new);
    ALL.put(VisionVerticle.SERVICE, VisionVerticle::new);
    ALL.put(LlmVerticle.SERVICE, LlmVerticle::new);
    ALL.put(GatewayVerticle.SERVICE, GatewayVerticle::new);
  }

  /** Every service name, in deployment order. */
  static final List<String> NAMES = List.copyOf(ALL.keySet());

  private ServiceCatalog() {}

  static Supplier<Deployable> factory(String name) {
    return ALL.get(name);
  }

  /** The given names in deployment order. */
  static List<String> ordered(List<String> names) {
    return NAMES.stream().filter(names::contains).toList();
  }
}
