package dev.graft.api.policy;

import java.time.Duration;
import java.util.Objects;

/**
 * The load budget: what a module may declare, and how long it may take to compile, before Graft
 * refuses it. Graft checks the declared figures in a scan of the module's section headers before
 * Chicory parses anything (Chicory allocates what a section declares before reading it), and runs
 * the parse and compile under {@link #compileTimeout()}. Immutable; start from {@link #defaults()}.
 *
 * <p>The defaults load every real plugin we know (the sample plugins, multi-megabyte Rust and C
 * modules) and stay far below what fills a 256 MiB heap.
 *
 * <table>
 *   <caption>Knobs and defaults (property names under {@code policy.load-limits})</caption>
 *   <tr><th>knob</th><th>default</th><th>what it counts</th></tr>
 *   <tr><td>max-locals-per-function</td><td>50,000</td><td>locals one function declares, summed over
 *       its local entries (parameters not included)</td></tr>
 *   <tr><td>max-locals-total</td><td>2,000,000</td><td>locals of all functions together</td></tr>
 *   <tr><td>max-functions</td><td>100,000</td><td>imported and defined functions</td></tr>
 *   <tr><td>max-types</td><td>100,000</td><td>type definitions</td></tr>
 *   <tr><td>max-imports / max-exports</td><td>100,000 each</td><td>entries of the import / export section</td></tr>
 *   <tr><td>max-globals</td><td>100,000</td><td>defined globals</td></tr>
 *   <tr><td>max-table-entries</td><td>1,000,000</td><td>initial sizes of all tables together</td></tr>
 *   <tr><td>max-element-entries</td><td>1,000,000</td><td>entries of all element segments together</td></tr>
 *   <tr><td>max-custom-section-bytes</td><td>16 MiB</td><td>all custom sections together (names, debug
 *       info, producers); Graft strips them unparsed</td></tr>
 *   <tr><td>max-huge-functions</td><td>16</td><td>functions whose body is at least
 *       {@link #HUGE_FUNCTION_BODY_BYTES} bytes (compiled mode only)</td></tr>
 *   <tr><td>compile-timeout</td><td>60 s</td><td>wall clock for metering, parsing and compiling</td></tr>
 * </table>
 */
public final class LoadLimits {

    /**
     * Body size from which a function counts as huge: with fuel metering, Chicory emits one to two
     * bytes of JVM bytecode per byte of straight-line Wasm (more for calls), so a body this large
     * is likely to exceed the JVM's 64 KiB method limit. Every such function makes Chicory start
     * the whole compile over before it falls back to the interpreter for it.
     */
    public static final int HUGE_FUNCTION_BODY_BYTES = 32 * 1024;

    private static final LoadLimits DEFAULTS = builder().build();

    private final long maxLocalsPerFunction;
    private final long maxLocalsTotal;
    private final long maxFunctions;
    private final long maxTypes;
    private final long maxImports;
    private final long maxExports;
    private final long maxGlobals;
    private final long maxTableEntries;
    private final long maxElementEntries;
    private final long maxCustomSectionBytes;
    private final long maxHugeFunctions;
    private final Duration compileTimeout;

    private LoadLimits(Builder b) {
        maxLocalsPerFunction = atLeast("max-locals-per-function", b.maxLocalsPerFunction, 0);
        maxLocalsTotal = atLeast("max-locals-total", b.maxLocalsTotal, 0);
        maxFunctions = atLeast("max-functions", b.maxFunctions, 0);
        maxTypes = atLeast("max-types", b.maxTypes, 0);
        maxImports = atLeast("max-imports", b.maxImports, 0);
        maxExports = atLeast("max-exports", b.maxExports, 0);
        maxGlobals = atLeast("max-globals", b.maxGlobals, 0);
        maxTableEntries = atLeast("max-table-entries", b.maxTableEntries, 0);
        maxElementEntries = atLeast("max-element-entries", b.maxElementEntries, 0);
        maxCustomSectionBytes = atLeast("max-custom-section-bytes", b.maxCustomSectionBytes, 0);
        maxHugeFunctions = atLeast("max-huge-functions", b.maxHugeFunctions, 0);
        compileTimeout = Objects.requireNonNull(b.compileTimeout, "compileTimeout");
        if (compileTimeout.isNegative() || compileTimeout.isZero()) {
            throw new IllegalArgumentException("compile-timeout must be positive, was " + compileTimeout);
        }
    }

    private static long atLeast(String knob, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(knob + " must be at least " + min + ", was " + value);
        }
        return value;
    }

    /** The defaults: see the class documentation. */
    public static LoadLimits defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxLocalsPerFunction = maxLocalsPerFunction;
        b.maxLocalsTotal = maxLocalsTotal;
        b.maxFunctions = maxFunctions;
        b.maxTypes = maxTypes;
        b.maxImports = maxImports;
        b.maxExports = maxExports;
        b.maxGlobals = maxGlobals;
        b.maxTableEntries = maxTableEntries;
        b.maxElementEntries = maxElementEntries;
        b.maxCustomSectionBytes = maxCustomSectionBytes;
        b.maxHugeFunctions = maxHugeFunctions;
        b.compileTimeout = compileTimeout;
        return b;
    }

    /** Locals one function may declare, summed over its local entries (parameters not included). */
    public long maxLocalsPerFunction() {
        return maxLocalsPerFunction;
    }

    /** Locals all functions may declare together. */
    public long maxLocalsTotal() {
        return maxLocalsTotal;
    }

    /** Imported plus defined functions. */
    public long maxFunctions() {
        return maxFunctions;
    }

    /** Type definitions (each subtype of a recursion group counts). */
    public long maxTypes() {
        return maxTypes;
    }

    /** Entries of the import section. */
    public long maxImports() {
        return maxImports;
    }

    /** Entries of the export section. */
    public long maxExports() {
        return maxExports;
    }

    /** Globals the module defines. */
    public long maxGlobals() {
        return maxGlobals;
    }

    /** Initial sizes of all tables, imported and defined, together. */
    public long maxTableEntries() {
        return maxTableEntries;
    }

    /** Entries of all element segments together. */
    public long maxElementEntries() {
        return maxElementEntries;
    }

    /** Bytes of all custom sections together, headers included. */
    public long maxCustomSectionBytes() {
        return maxCustomSectionBytes;
    }

    /** Functions of at least {@link #HUGE_FUNCTION_BODY_BYTES} a module may have when compiled. */
    public long maxHugeFunctions() {
        return maxHugeFunctions;
    }

    /** Wall clock for metering, parsing and compiling one module. */
    public Duration compileTimeout() {
        return compileTimeout;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LoadLimits other && toString().equals(other.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return "LoadLimits{maxLocalsPerFunction=" + maxLocalsPerFunction + ", maxLocalsTotal=" + maxLocalsTotal
                + ", maxFunctions=" + maxFunctions + ", maxTypes=" + maxTypes + ", maxImports=" + maxImports
                + ", maxExports=" + maxExports + ", maxGlobals=" + maxGlobals + ", maxTableEntries=" + maxTableEntries
                + ", maxElementEntries=" + maxElementEntries + ", maxCustomSectionBytes=" + maxCustomSectionBytes
                + ", maxHugeFunctions=" + maxHugeFunctions + ", compileTimeout=" + compileTimeout + "}";
    }

    /** Builder for {@link LoadLimits}, starting from the defaults. Counts must be at least 0. */
    public static final class Builder {
        private long maxLocalsPerFunction = 50_000;
        private long maxLocalsTotal = 2_000_000;
        private long maxFunctions = 100_000;
        private long maxTypes = 100_000;
        private long maxImports = 100_000;
        private long maxExports = 100_000;
        private long maxGlobals = 100_000;
        private long maxTableEntries = 1_000_000;
        private long maxElementEntries = 1_000_000;
        private long maxCustomSectionBytes = 16L * 1024 * 1024;
        private long maxHugeFunctions = 16;
        private Duration compileTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        public Builder maxLocalsPerFunction(long value) {
            maxLocalsPerFunction = value;
            return this;
        }

        public Builder maxLocalsTotal(long value) {
            maxLocalsTotal = value;
            return this;
        }

        public Builder maxFunctions(long value) {
            maxFunctions = value;
            return this;
        }

        public Builder maxTypes(long value) {
            maxTypes = value;
            return this;
        }

        public Builder maxImports(long value) {
            maxImports = value;
            return this;
        }

        public Builder maxExports(long value) {
            maxExports = value;
            return this;
        }

        public Builder maxGlobals(long value) {
            maxGlobals = value;
            return this;
        }

        public Builder maxTableEntries(long value) {
            maxTableEntries = value;
            return this;
        }

        public Builder maxElementEntries(long value) {
            maxElementEntries = value;
            return this;
        }

        public Builder maxCustomSectionBytes(long value) {
            maxCustomSectionBytes = value;
            return this;
        }

        public Builder maxHugeFunctions(long value) {
            maxHugeFunctions = value;
            return this;
        }

        public Builder compileTimeout(Duration value) {
            compileTimeout = value;
            return this;
        }

        /** Builds the limits; throws {@link IllegalArgumentException} naming the knob of a bad value. */
        public LoadLimits build() {
            return new LoadLimits(this);
        }
    }
}
