package io.nexus.contracts;

/** The reply of a command that has nothing to return but its success. */
public record Done() {
  public static final Done INSTANCE = new Done();
}
