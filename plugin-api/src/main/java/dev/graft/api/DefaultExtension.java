package dev.graft.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a Java implementation of an {@link ExtensionPoint} interface as that point's default: where the
 * host's failure policy for the point is {@code fallback}, a plugin call that fails (trap, timeout, any
 * limit, a quarantined plugin) answers with what this implementation returns for the same arguments.
 *
 * <p>In a Spring Boot application, annotate the bean class or its {@code @Bean} method; there may be
 * one default per extension point.
 *
 * <pre>{@code
 * @Component
 * @DefaultExtension
 * class NoAdjustments implements PricingRule {
 *     public List<Adjustment> apply(QuoteLine line) { return List.of(); }
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface DefaultExtension {

    /**
     * The extension points this is the default of; empty means every {@code @ExtensionPoint} interface
     * the class implements.
     */
    Class<?>[] value() default {};
}
