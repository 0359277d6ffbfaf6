package io.nexus.contracts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the generated JSON Schema of every message type under a directory (the build puts them
 * in {@code bus-contracts/target/schemas}), for readers and tools; the running mesh generates
 * the same schemas from the records itself.
 */
public final class SchemaExport {
  private SchemaExport() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "target/schemas");
    int n = 0;
    for (Class<?> type : Contracts.messageTypes()) {
      Path file = dir.resolve(Contracts.schemaFile(type));
      Files.createDirectories(file.getParent());
      Files.writeString(file, Schemas.schemaOf(type).encodePrettily() + "\n");
      n++;
    }
    System.out.println("wrote " + n + " JSON Schemas under " + dir);
  }
}
