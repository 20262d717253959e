package dev.graft.api;

/**
 * A call reached a plugin that is no longer serving: it was disabled or unloaded after the caller
 * obtained its reference (for example an element of an {@link Extensions#list()} snapshot).
 */
public class PluginUnavailableException extends PluginException {

    public PluginUnavailableException(String pluginId, String message) {
        super(pluginId, message, null);
    }
}
