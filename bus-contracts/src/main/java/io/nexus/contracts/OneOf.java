package io.nexus.contracts;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The only values a string field may take: listed, or the wire names of an enum that has them
 * ({@code wireOf = Role.class}: {@code admin, examiner, ...}), for fields whose values are not
 * (yet) a Java enum themselves.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.TYPE_USE,
    ElementType.ANNOTATION_TYPE})
public @interface OneOf {
  /** The values, when not an enum's. */
  String[] value() default {};

  /** An enum whose constants' wire names ({@code wire()}, else the lower-case name) are the values. */
  Class<? extends Enum<?>> wireOf() default None.class;

  /** No enum: the listed values. */
  enum None {}
}
