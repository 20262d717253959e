package dev.graft.api;

/**
 * A typed call could not convert between Java values and the plugin's payload: the plugin returned
 * bytes that are not valid JSON, or JSON of the wrong shape for the declared result type.
 */
public class PluginCodecException extends PluginException {

    public PluginCodecException(String pluginId, String message, Throwable cause) {
        super(pluginId, message, cause);
    }
}
