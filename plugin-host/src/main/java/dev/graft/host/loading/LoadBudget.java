package dev.graft.host.loading;

import dev.graft.api.PluginLoadException;
import dev.graft.api.policy.LoadLimits;
import java.util.Locale;

/**
 * The load budget's first half: compares what a module declares with {@link LoadLimits} before
 * anything parses it, and strips the custom sections (names, debug info, producers), which Graft
 * does not use, so that Chicory never parses them (its name-section parser is quadratic in the
 * number of names when they come in descending order). The scan is one linear pass that allocates
 * nothing but the stripped copy. The second half, the compile deadline, is {@link CompileDeadline}.
 */
public final class LoadBudget {

    private static final String KNOB = "load-limits.";

    private LoadBudget() {
    }

    /**
     * Checks {@code bytes} against {@code limits}.
     *
     * @param compiled whether the module will be compiled (the huge-function limit applies only then)
     * @return the module without its custom sections (the same array when it has none)
     * @throws PluginLoadException naming the plugin, the knob, the limit and the declared figure, or
     *     "not a valid Wasm module" when a declared length or count cannot fit in the file
     */
    public static byte[] check(String pluginId, byte[] bytes, LoadLimits limits, boolean compiled) {
        ModuleScan scan;
        try {
            scan = ModuleScan.of(bytes, LoadLimits.HUGE_FUNCTION_BODY_BYTES);
        } catch (ModuleScan.Malformed e) {
            throw new PluginLoadException(pluginId, "not a valid Wasm module: " + e.getMessage());
        }
        if (scan.maxLocals > limits.maxLocalsPerFunction()) {
            throw refuse(pluginId, "max-locals-per-function", limits.maxLocalsPerFunction(),
                    "function %d declares %,d locals (in %,d entries)", scan.maxLocalsFunction, scan.maxLocals,
                    scan.maxLocalsEntries);
        }
        if (scan.localsTotal > limits.maxLocalsTotal()) {
            throw refuse(pluginId, "max-locals-total", limits.maxLocalsTotal(),
                    "the module's %,d function bodies declare %,d locals together", scan.codeBodies, scan.localsTotal);
        }
        if (scan.functions() > limits.maxFunctions()) {
            throw refuse(pluginId, "max-functions", limits.maxFunctions(),
                    "the module declares %,d functions (%,d imported)", scan.functions(), scan.importedFunctions);
        }
        if (scan.types > limits.maxTypes()) {
            throw refuse(pluginId, "max-types", limits.maxTypes(), "the module declares %,d types", scan.types);
        }
        if (scan.imports > limits.maxImports()) {
            throw refuse(pluginId, "max-imports", limits.maxImports(), "the module declares %,d imports", scan.imports);
        }
        if (scan.exports > limits.maxExports()) {
            throw refuse(pluginId, "max-exports", limits.maxExports(), "the module declares %,d exports", scan.exports);
        }
        if (scan.globals > limits.maxGlobals()) {
            throw refuse(pluginId, "max-globals", limits.maxGlobals(), "the module declares %,d globals", scan.globals);
        }
        if (scan.tableEntries > limits.maxTableEntries()) {
            throw refuse(pluginId, "max-table-entries", limits.maxTableEntries(),
                    "the module's tables declare %,d initial entries together", scan.tableEntries);
        }
        if (scan.elementEntries > limits.maxElementEntries()) {
            throw refuse(pluginId, "max-element-entries", limits.maxElementEntries(),
                    "the module's element segments declare %,d entries together", scan.elementEntries);
        }
        if (scan.customSectionBytes > limits.maxCustomSectionBytes()) {
            throw refuse(pluginId, "max-custom-section-bytes", limits.maxCustomSectionBytes(),
                    "the module's %,d custom sections take %,d bytes", scan.customSections, scan.customSectionBytes);
        }
        if (compiled && scan.hugeFunctions > limits.maxHugeFunctions()) {
            throw refuse(pluginId, "max-huge-functions", limits.maxHugeFunctions(),
                    "the module has %,d functions of %,d bytes or more (largest: function %d, %,d bytes), each likely"
                            + " over the JVM's 64 KiB method limit when compiled; run it interpreted or raise the limit",
                    scan.hugeFunctions, LoadLimits.HUGE_FUNCTION_BODY_BYTES, scan.largestHugeFunction,
                    scan.largestHugeBody);
        }
        if (scan.maxParamsOrResults > MAX_PARAMS_OR_RESULTS) {
            throw new PluginLoadException(pluginId, String.format(Locale.ROOT,
                    "not a valid Wasm module: type %d declares %,d parameters or results; at most %,d are supported",
                    scan.maxParamsType, scan.maxParamsOrResults, MAX_PARAMS_OR_RESULTS));
        }
        return scan.withoutCustomSections();
    }

    /** Chicory's (and the web engines') implementation limit of parameters and of results per type. */
    static final int MAX_PARAMS_OR_RESULTS = 1000;

    private static PluginLoadException refuse(String pluginId, String knob, long limit, String declared,
            Object... args) {
        return new PluginLoadException(pluginId, String.format(Locale.ROOT, "load budget exceeded: " + declared
                + ", over " + KNOB + "%s = %,d", append(args, knob, limit)));
    }

    private static Object[] append(Object[] args, Object... more) {
        Object[] all = new Object[args.length + more.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }
}
