package dev.graft.api;

/**
 * The plugin trapped: {@code unreachable}, an out-of-bounds memory access, integer division by zero,
 * an invalid conversion, call stack exhaustion, or another fault of the Wasm code. The instance that
 * trapped is discarded; the host and other plugins are unaffected.
 */
public class PluginTrapException extends PluginException {

    public PluginTrapException(String pluginId, String export, String trap, Throwable cause) {
        super(pluginId, "call to '" + export + "' trapped: " + trap, cause);
    }
}
