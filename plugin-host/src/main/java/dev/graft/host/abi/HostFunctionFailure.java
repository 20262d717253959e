package dev.graft.host.abi;

/**
 * Carries a host function's own exception out through the Wasm stack, so the engine can report it as
 * a {@code PluginCallException} naming the function.
 */
public final class HostFunctionFailure extends RuntimeException {

    private final String functionName;

    HostFunctionFailure(String functionName, Throwable cause) {
        super("host function '" + functionName + "' failed: " + cause, cause);
        this.functionName = functionName;
    }

    public String functionName() {
        return functionName;
    }
}
