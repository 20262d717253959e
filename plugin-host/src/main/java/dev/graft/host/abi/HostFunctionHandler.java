package dev.graft.host.abi;

/**
 * Java code a plugin may call as an Extism host function in {@code extism:host/user}: bytes in, bytes
 * out. It runs on the calling thread, inside the plugin call, so thread-bound context (the request's
 * principal or tenant) is the caller's.
 */
@FunctionalInterface
public interface HostFunctionHandler {

    /**
     * Handles one call.
     *
     * @param pluginId the calling plugin
     * @param input the bytes the plugin passed
     * @return the bytes handed back to the plugin; never {@code null}
     * @throws Exception any failure, which ends the plugin call with {@code PluginCallException}
     */
    byte[] handle(String pluginId, byte[] input) throws Exception;
}
