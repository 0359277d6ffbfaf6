package io.nexus.contracts;

import java.util.Arrays;

/**
 * The roles of an organisation's members, from most to least powerful. Each role may do
 * everything the roles below it may do.
 */
public enum Role implements Wire {
  /** Manages users, API keys and keys; everything an examiner may do. */
  ADMIN,
  /** Loads books, runs examinations, decides findings. */
  EXAMINER,
  /** Works findings: comments, proposes; reads everything in the org. */
  ANALYST,
  /** Reads. */
  VIEWER;

  /** True when this role may do what {@code required} may do. */
  public boolean atLeast(Role required) {
    return ordinal() <= required.ordinal();
  }

  /** Parses a wire name; throws {@link IllegalArgumentException} naming the allowed values. */
  public static Role parse(String value) {
    for (Role r : values()) {
      if (r.wire().equals(value)) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown role '" + value + "', expected one of "
        + Arrays.stream(values()).map(Role::wire).toList());
  }

  @Override
  public String toString() {
    return wire();
  }
}
