package dev.graft.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a JUnit 5 test class that loads Wasm plugins: its fields and test-method parameters annotated
 * {@link WasmPlugin} are loaded before each test (and closed after it), and its methods annotated
 * {@link HostStub} answer the plugin's host-function calls.
 *
 * <pre>{@code
 * @GraftPluginTest
 * class BulkSurchargeTest {
 *     @WasmPlugin(path = "bulk-surcharge.wasm", sha256 = "9f2c…")
 *     PricingRule rule;
 *
 *     @Test
 *     void surchargesFurniture() {
 *         assertEquals(new BigDecimal("75.00"), rule.apply(line("furniture", 3)).get(0).amount());
 *     }
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(GraftPluginExtension.class)
public @interface GraftPluginTest {
}
