package dev.graft.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a record component of an extension point's argument or result as optional: a plugin may
 * leave it out or write {@code null}, and it reads as {@code null}. Every other record component is
 * required, so a plugin output that misses it, or has {@code null} there, is refused with a
 * {@link PluginCodecException} naming the JSON path. (A component of type {@code java.util.Optional}
 * is optional too, for a mapper with {@code jackson-datatype-jdk8} registered.)
 *
 * <pre>{@code
 * public record QuoteLine(String sku, int quantity, @OptionalField String promoCode) {}
 * }</pre>
 *
 * Named {@code OptionalField} rather than {@code Optional} so that it never clashes with
 * {@code java.util.Optional} in an import.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD})
public @interface OptionalField {
}
