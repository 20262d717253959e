package dev.graft.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A method of a {@link GraftPluginTest} class that answers a host function in place of the
 * application: every {@link WasmPlugin} loaded for the test is bound to it and granted the capability
 * to call it. The method takes the plugin's input and returns the answer, either as {@code byte[]} or as
 * {@code String} (UTF-8); it may also take the calling plugin's id first. An exception it throws ends the
 * plugin call with a {@code PluginCallException}, as a failing host function would.
 *
 * <pre>{@code
 * @HostStub("erp_customer_tier")
 * String tier(String customerId) {
 *     return customerId.equals("C-100") ? "gold" : "";
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface HostStub {

    /** The host function's name as the plugin imports it. */
    String value();
}
