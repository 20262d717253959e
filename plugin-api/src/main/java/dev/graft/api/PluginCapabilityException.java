package dev.graft.api;

/** The plugin used a capability its policy does not grant (a host function, WASI clock, files, network...). */
public class PluginCapabilityException extends PluginException {

    private final String capability;

    public PluginCapabilityException(String pluginId, String capability, String attempted) {
        super(pluginId, "capability '" + capability + "' is not granted; attempted: " + attempted, null);
        this.capability = capability;
    }

    /** The name of the capability that was denied, for example {@code wasi:clock}. */
    public String capability() {
        return capability;
    }
}
