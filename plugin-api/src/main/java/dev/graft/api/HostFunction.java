package dev.graft.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Offers a method of an application bean to plugins as an Extism host function, imported from the
 * module {@code extism:host/user} under the given name. A plugin may import it only when its policy
 * grants that name ({@code Capabilities.builder().hostFunction(name)}, or
 * {@code graft.plugins.<id>.policy.capabilities.host-functions} in Spring Boot).
 *
 * <p>The method takes at most one parameter, decoded from the plugin's input (JSON by default; a
 * {@code byte[]} parameter receives the raw bytes), and its result is encoded as the plugin's answer.
 * It runs on the thread that called the plugin, so the caller's thread-bound context (security
 * principal, tenant, transaction) is in effect: a plugin can read only what its caller could read.
 *
 * <pre>{@code
 * @Component
 * class CustomerTiers {
 *     @HostFunction("erp.customer.tier")
 *     Tier tierOf(CustomerRef customer) { ... }
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface HostFunction {

    /** The import name in {@code extism:host/user}, for example {@code erp.customer.tier}. */
    String value();
}
