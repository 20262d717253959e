package dev.graft.test;

import dev.graft.api.policy.ExecutionMode;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A plugin to load for a test, on a field or a test-method parameter of a {@link GraftPluginTest}
 * class. The field or parameter's type says what is injected: an {@code @ExtensionPoint} interface
 * (such as {@code PricingRule}) gets the typed extension, which decodes outputs exactly as the host does
 * (strict contracts); {@code dev.graft.host.engine.Plugin} gets the loaded plugin for byte-level calls.
 *
 * <p>The module is pinned: give its {@link #sha256()}, or a {@link #lockFile()} listing it, or set
 * {@link #unpinned()} to say on purpose that any bytes will do (for a module that is rebuilt by the test
 * run itself). The policy is the engine's default with the given fuel, memory cap and execution mode;
 * the host functions named by the test class's {@link HostStub} methods are bound and granted.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER})
public @interface WasmPlugin {

    /** The module file, relative to the working directory (for Maven, the module's base directory). */
    String path();

    /** The module's expected sha256 (64 hex digits); loading other bytes is refused. */
    String sha256() default "";

    /**
     * A lock file with lines {@code <sha256> <path>} (as {@code sha256sum} writes them) that pins
     * {@link #path()}; relative to the working directory. Paths in it are relative to the lock file's folder.
     */
    String lockFile() default "";

    /** Load without a pin. A test that sets this proves less; prefer {@link #sha256()}. */
    boolean unpinned() default false;

    /** The plugin id (named in every refusal); defaults to the file name without {@code .wasm}. */
    String id() default "";

    /** Fuel per call; {@code -1} keeps the policy default, {@code 0} turns metering off. */
    long fuel() default -1;

    /** Cap on linear memory in bytes; {@code -1} keeps the policy default. */
    long maxMemoryBytes() default -1;

    /** Wall-clock limit per call in milliseconds; {@code -1} keeps the policy default. */
    long timeoutMillis() default -1;

    /**
     * Compiled (the default), interpreted or tiered. A test pins one mode so that it measures the same code
     * every run; the engine's own default, tiered, switches from the interpreter to compiled code while
     * the test runs. Fuel is the same in every mode.
     */
    ExecutionMode mode() default ExecutionMode.COMPILED;

    /** Configuration the plugin reads with Extism's {@code config_get}, as {@code key=value} entries. */
    String[] config() default {};

    /** Whether the plugin is granted WASI (a {@code wasm32-wasip1} module needs it). */
    boolean wasi() default false;
}
