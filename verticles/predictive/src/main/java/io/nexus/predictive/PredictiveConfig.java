package io.nexus.predictive;

import io.nexus.kernel.config.Conf;
import io.vertx.core.json.JsonObject;

/**
 * The {@code predictive} section of the node's config.
 *
 * @param financialTimeoutMs how long a call to the Financial Examiner may take
 * @param forecastThreads the worker threads forecasts are fitted on
 * @param breakerMaxFailures failures in a row that open the breaker in front of Financial
 * @param breakerResetMs how long it stays open before trying again
 */
record PredictiveConfig(int financialTimeoutMs, int forecastThreads, int breakerMaxFailures, int breakerResetMs) {
  static PredictiveConfig from(JsonObject config) {
    Conf c = Conf.of(config).section("predictive");
    Conf b = c.section("breaker");
    return new PredictiveConfig(c.integer("financialTimeoutMs", 100, 120_000, 3000), c.integer("forecastThreads", 1, 64, 2),
        b.integer("maxFailures", 1, 1000, 5), b.integer("resetTimeoutMs", 100, 600_000, 5000));
  }
}
