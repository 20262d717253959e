package dev.graft.api;

/**
 * A call ended with an error the plugin reported itself (Extism {@code error_set}, a non-zero return
 * code or a non-zero WASI exit), or with a failure of a host function it called.
 */
public class PluginCallException extends PluginException {

    private final String pluginMessage;

    public PluginCallException(String pluginId, String export, String pluginMessage) {
        this(pluginId, export, pluginMessage, null);
    }

    public PluginCallException(String pluginId, String export, String pluginMessage, Throwable cause) {
        super(pluginId, "call to '" + export + "' failed: " + pluginMessage, cause);
        this.pluginMessage = pluginMessage;
    }

    /** The error text as the plugin (or the failing host function) gave it. */
    public String pluginMessage() {
        return pluginMessage;
    }
}
