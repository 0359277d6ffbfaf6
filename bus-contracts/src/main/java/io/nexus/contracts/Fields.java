package io.nexus.contracts;

import jakarta.validation.Constraint;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The kinds of field that recur across the contracts, each defined once: a record component
 * annotated {@code @Fields.IsoDate} gets the pattern, format and example of an ISO date in its
 * generated schema (see {@link Schemas}).
 */
public final class Fields {
  private Fields() {}

  /** An entity id: 1-64 characters. */
  @Size(min = 1, max = 64)
  @Constraint(validatedBy = {})
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT,
      ElementType.TYPE_USE, ElementType.ANNOTATION_TYPE})
  public @interface Id {}

  /** An ISO-8601 calendar date, {@code yyyy-MM-dd}. */
  @Pattern(regexp = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
  @Format("date")
  @Example("2026-03-31")
  @Constraint(validatedBy = {})
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT,
      ElementType.TYPE_USE, ElementType.ANNOTATION_TYPE})
  public @interface IsoDate {}

  /** An ISO 4217 currency code. */
  @Pattern(regexp = "^[A-Z]{3}$")
  @Example("EUR")
  @Constraint(validatedBy = {})
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT,
      ElementType.TYPE_USE, ElementType.ANNOTATION_TYPE})
  public @interface CurrencyCode {}

  /** A non-negative decimal amount as a string: up to 15 integer and 4 fraction digits. */
  @Pattern(regexp = "^[0-9]{1,15}(\\.[0-9]{1,4})?$")
  @Example("125.40")
  @Constraint(validatedBy = {})
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT,
      ElementType.TYPE_USE, ElementType.ANNOTATION_TYPE})
  public @interface Amount {}

  /** A local time of day, {@code HH:mm}. */
  @Pattern(regexp = "^([01][0-9]|2[0-3]):[0-5][0-9]$")
  @Example("08:00")
  @Constraint(validatedBy = {})
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT,
      ElementType.TYPE_USE, ElementType.ANNOTATION_TYPE})
  public @interface TimeOfDay {}

  /** An email address: 3-254 characters. */
  @Size(min = 3, max = 254)
  @Format("email")
  @Constraint(validatedBy = {})
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT,
      ElementType.TYPE_USE, ElementType.ANNOTATION_TYPE})
  public @interface Email {}

  /** A new password: at least 12 characters. */
  @Size(min = 12, max = 1024)
  @Constraint(validatedBy = {})
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT,
      ElementType.TYPE_USE, ElementType.ANNOTATION_TYPE})
  public @interface NewPassword {}
}
