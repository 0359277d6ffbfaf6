package io.nexus.contracts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.victools.jsonschema.generator.FieldScope;
import com.github.victools.jsonschema.generator.MemberScope;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonModule;
import com.github.victools.jsonschema.module.jackson.JacksonOption;
import com.github.victools.jsonschema.module.jakarta.validation.JakartaValidationModule;
import com.github.victools.jsonschema.module.jakarta.validation.JakartaValidationOption;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import jakarta.validation.Constraint;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JSON Schema of every message type, generated from its record: the components are the
 * properties; {@link Nullable} marks the optional ones (all others are required and never null);
 * Jakarta constraints ({@code @Size}, {@code @Pattern}, {@code @Min}, ...), {@link Format},
 * {@link OneOf}, {@link Example} and enum types give the constraints; no other property is
 * allowed. Nothing is written by hand, so a record and its schema cannot disagree. Schemas and
 * validators are built once per type and are safe to share between threads.
 */
public final class Schemas {
  /** The base of every schema's {@code $id}. */
  public static final String BASE_URI = "https://nexus.io/schemas/";
  private static final JsonSchemaOptions OPTIONS = new JsonSchemaOptions()
      .setDraft(Draft.DRAFT202012)
      .setBaseUri(BASE_URI)
      .setOutputFormat(OutputFormat.Basic);
  private static final SchemaGenerator GENERATOR = generator();
  private static final ConcurrentHashMap<Class<?>, JsonObject> SCHEMAS = new ConcurrentHashMap<>();
  private static final ConcurrentHashMap<Class<?>, Validator> VALIDATORS = new ConcurrentHashMap<>();

  private Schemas() {}

  /** The schema document of a message type (a copy: callers may change it). */
  public static JsonObject schemaOf(Class<?> type) {
    return SCHEMAS.computeIfAbsent(type, Schemas::generate).copy();
  }

  /**
   * Validates {@code json} as a {@code type}.
   *
   * @return empty when valid, else a message naming the first offending location and why
   */
  public static Optional<String> violation(Class<?> type, JsonObject json) {
    Validator v = VALIDATORS.computeIfAbsent(type,
        t -> Validator.create(JsonSchema.of(SCHEMAS.computeIfAbsent(t, Schemas::generate)), OPTIONS));
    OutputUnit out = v.validate(json);
    if (Boolean.TRUE.equals(out.getValid())) {
      return Optional.empty();
    }
    OutputUnit first = out.getErrors() == null || out.getErrors().isEmpty() ? out : deepest(out);
    String where = first.getInstanceLocation() == null || first.getInstanceLocation().isEmpty()
        ? "body" : first.getInstanceLocation();
    return Optional.of(where + ": " + first.getError());
  }

  private static OutputUnit deepest(OutputUnit out) {
    OutputUnit best = out.getErrors().get(0);
    for (OutputUnit u : out.getErrors()) {
      String loc = u.getInstanceLocation() == null ? "" : u.getInstanceLocation();
      String bestLoc = best.getInstanceLocation() == null ? "" : best.getInstanceLocation();
      if (loc.length() > bestLoc.length()) {
        best = u;
      }
    }
    return best;
  }

  private static JsonObject generate(Class<?> type) {
    if (!type.isRecord()) {
      throw new IllegalArgumentException(type.getName() + " is not a record: messages are records");
    }
    ObjectNode node = GENERATOR.generateSchema(type);
    var schema = new JsonObject(node.toString());
    var out = new JsonObject().put("$schema", schema.remove("$schema")).put("$id", BASE_URI + Contracts.schemaFile(type));
    out.mergeIn(schema);
    return out;
  }

  private static SchemaGenerator generator() {
    var config = new SchemaGeneratorConfigBuilder(SchemaVersion.DRAFT_2020_12, OptionPreset.PLAIN_JSON)
        .with(new JacksonModule(JacksonOption.FLATTENED_ENUMS_FROM_JSONVALUE))
        .with(new JakartaValidationModule(JakartaValidationOption.INCLUDE_PATTERN_EXPRESSIONS))
        .with(Option.FORBIDDEN_ADDITIONAL_PROPERTIES_BY_DEFAULT, Option.MAP_VALUES_AS_ADDITIONAL_PROPERTIES,
            Option.INLINE_ALL_SCHEMAS);
    // properties in the order of the record's components, as Jackson writes them
    config.forTypesInGeneral().withPropertySorter((a, b) -> 0);
    // bytes travel as Jackson writes them: one base64 string
    config.forTypesInGeneral().withCustomDefinitionProvider((type, context) -> type.getErasedType() == byte[].class
        ? new com.github.victools.jsonschema.generator.CustomDefinition(context.getGeneratorConfig().createObjectNode()
            .put("type", "string").put("contentEncoding", "base64"),
            com.github.victools.jsonschema.generator.CustomDefinition.DefinitionType.INLINE,
            com.github.victools.jsonschema.generator.CustomDefinition.AttributeInclusion.YES)
        : null);
    config.forTypesInGeneral().withTitleResolver(scope -> {
      Class<?> c = scope.getType().getErasedType();
      return c.isRecord() ? c.getSimpleName() : null;
    });
    var fields = config.forFields();
    fields.withNullableCheck(f -> !f.isFakeContainerItemScope() && nullable(f));
    fields.withRequiredCheck(f -> !nullable(f));
    fields.withStringFormatResolver(f -> {
      Format format = annotation(f, Format.class);
      return format == null ? null : format.value();
    });
    fields.withEnumResolver(f -> {
      OneOf oneOf = annotation(f, OneOf.class);
      if (oneOf == null) {
        return null;
      }
      List<Object> values = new ArrayList<>(Arrays.asList((Object[]) oneOf.value()));
      if (oneOf.wireOf() != OneOf.None.class) {
        values.addAll(wireNames(oneOf.wireOf()));
      }
      if (!f.isFakeContainerItemScope() && nullable(f)) {
        values.add(null);
      }
      return values;
    });
    fields.withInstanceAttributeOverride((node, f, context) -> {
      Example example = annotation(f, Example.class);
      if (example != null && !node.has("examples")) {
        var array = node.putArray("examples");
        for (String value : example.value()) {
          array.add(value);
        }
      }
    });
    return new SchemaGenerator(config.build());
  }

  /** An enum's values as they travel: {@code wire()} when it has one, else the lower-case name. */
  static List<String> wireNames(Class<? extends Enum<?>> type) {
    var names = new ArrayList<String>();
    for (Enum<?> e : type.getEnumConstants()) {
      try {
        names.add((String) type.getMethod("wire").invoke(e));
      } catch (ReflectiveOperationException noWire) {
        names.add(e.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
      }
    }
    return names;
  }

  private static boolean nullable(FieldScope f) {
    return !f.getType().getErasedType().isPrimitive() && f.getAnnotationConsideringFieldAndGetter(Nullable.class) != null;
  }

  /** An annotation on the field (or, for a list's items, on its type argument), directly or through a composed constraint. */
  private static <A extends Annotation> A annotation(MemberScope<?, ?> member, Class<A> type) {
    java.util.function.Predicate<Annotation> composed = a -> a.annotationType().isAnnotationPresent(Constraint.class);
    return member.isFakeContainerItemScope()
        ? member.getContainerItemAnnotationConsideringFieldAndGetterIfSupported(type, composed)
        : member.getAnnotationConsideringFieldAndGetterIfSupported(type, composed);
  }
}
