package io.nexus.contracts;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;

/**
 * An enum as it travels and is stored: its constants' names in lower case with {@code -} for
 * {@code _} ({@code ALL_OR_NOTHING} is {@code all-or-nothing}). Jackson writes and reads that
 * name, the generated schemas list those values, and code that stores or compares a state
 * converts with {@link #wire()} and {@link #parse}, never by hand.
 */
public interface Wire {
  /** The wire name. */
  @JsonValue
  default String wire() {
    return ((Enum<?>) this).name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The wire name as an SQL string literal, for a state written into a statement: {@code 'running'}. */
  default String sql() {
    return "'" + wire() + "'";
  }

  /**
   * The constant of {@code type} with this wire name.
   *
   * @throws IllegalArgumentException naming the allowed values
   */
  static <E extends Enum<E> & Wire> E parse(Class<E> type, String value) {
    for (E e : type.getEnumConstants()) {
      if (e.wire().equals(value)) {
        return e;
      }
    }
    throw new IllegalArgumentException("unknown " + type.getSimpleName() + " '" + value + "', expected one of "
        + Arrays.stream(type.getEnumConstants()).map(Wire::wire).toList());
  }
}
