package dev.graft.api;

/**
 * A plugin was refused at load: unreadable, malformed or invalid bytes, a sha256 pin mismatch, a
 * module over the size cap, an import the policy does not grant, a missing export for a claimed
 * extension point, a module not signed by a trusted key (see the host's trust policy), or a start
 * function that failed.
 */
public class PluginLoadException extends PluginException {

    public PluginLoadException(String pluginId, String message) {
        this(pluginId, message, null);
    }

    public PluginLoadException(String pluginId, String message, Throwable cause) {
        super(pluginId, "refused at load: " + message, cause);
    }
}
