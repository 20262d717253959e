package dev.graft.boot.hostfunction;

import dev.graft.api.PluginPayloadException;
import dev.graft.host.abi.HostFunctionHandler;

/**
 * Refuses a host function call whose input, or whose result, is over {@code graft.host-functions.max-bytes},
 * before the bean decodes it or the plugin receives it: a plugin cannot make the host parse, or hold,
 * an unbounded payload through a host function.
 */
final class SizeCappedHostFunction implements HostFunctionHandler {

    static final String KNOB = "graft.host-functions.max-bytes";

    private final String name;
    private final long maxBytes;
    private final HostFunctionHandler delegate;

    SizeCappedHostFunction(String name, long maxBytes, HostFunctionHandler delegate) {
        this.name = name;
        this.maxBytes = maxBytes;
        this.delegate = delegate;
    }

    @Override
    public byte[] handle(String pluginId, byte[] input) throws Exception {
        if (input.length > maxBytes) {
            throw new PluginPayloadException(pluginId, KNOB, maxBytes, input.length,
                    "input of host function '" + name + "'");
        }
        byte[] output = delegate.handle(pluginId, input);
        if (output != null && output.length > maxBytes) {
            throw new PluginPayloadException(pluginId, KNOB, maxBytes, output.length,
                    "result of host function '" + name + "'");
        }
        return output;
    }

    @Override
    public String toString() {
        return delegate + " (max " + maxBytes + " bytes)";
    }
}
