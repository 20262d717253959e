package dev.graft.api;

/**
 * Root of every refusal Graft makes on behalf of a plugin. The message always names the plugin, and
 * the subclasses add the policy knob, the limit and what was attempted.
 *
 * <p>Callers may catch this one type to contain any plugin failure: the engine never lets a
 * plugin-caused error escape as another exception type.
 */
public abstract class PluginException extends RuntimeException {

    private final String pluginId;

    protected PluginException(String pluginId, String message, Throwable cause) {
        super("plugin '" + pluginId + "': " + message, cause);
        this.pluginId = pluginId;
    }

    /** The id of the plugin that failed or was refused. */
    public String pluginId() {
        return pluginId;
    }
}
