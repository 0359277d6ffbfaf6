package io.nexus.predictive.forecast;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;

/** The AirPassengers series (monthly, 1949-1960) from the test resources. */
final class AirPassengers {
  private AirPassengers() {}

  static double[] all() throws Exception {
    var values = new ArrayList<Double>();
    try (var in = new BufferedReader(new InputStreamReader(AirPassengers.class.getResourceAsStream("/airpassengers.csv"),
        StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split(",");
        for (int i = 1; i < f.length; i++) {
          values.add(Double.parseDouble(f[i]));
        }
      }
    }
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
