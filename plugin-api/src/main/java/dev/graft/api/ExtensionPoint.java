package dev.graft.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a Java interface as an extension point that Wasm plugins implement. Each abstract method maps
 * to a plugin export of the same name (or the name given by {@link Export}); its single argument is
 * sent as the call's input and its result decoded from the call's output, both through the payload
 * codec (JSON by default).
 *
 * <pre>{@code
 * @ExtensionPoint(id = "pricing-rule", version = "1")
 * public interface PricingRule {
 *     @Export("apply_rule")
 *     List<Adjustment> apply(QuoteLine line);
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ExtensionPoint {

    /** Stable id of the extension point, e.g. {@code pricing-rule}. */
    String id();

    /** Version of the contract; a plugin built for another version is a different contract. */
    String version() default "1";
}
