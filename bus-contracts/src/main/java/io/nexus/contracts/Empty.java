package io.nexus.contracts;

/** A request that needs nothing but its headers (the caller's principal). */
public record Empty() {
  public static final Empty INSTANCE = new Empty();
}
