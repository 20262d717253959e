package dev.graft.api;

/**
 * An error a host function answers to the plugin on purpose, such as "no customer 42". When a WebAssembly
 * component imports the host function with a {@code result<T, string>} result, this exception's message is
 * handed to the component as the error case, and the component decides what to do. Any other exception a
 * host function throws — and this one, for an Extism plugin or an import without a {@code result} — ends
 * the plugin call with a {@link PluginCallException}, its message kept from the plugin: a database error or
 * a stack of host internals must not reach untrusted code.
 */
public class HostFunctionError extends RuntimeException {

    /** @param message what the plugin is told, as it should read it */
    public HostFunctionError(String message) {
        super(message);
    }
}
