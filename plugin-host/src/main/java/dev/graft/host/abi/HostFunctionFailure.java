package dev.graft.host.abi;

/**
 * Carries a host function's own exception out through the Wasm stack, so the engine can report it as
 * a {@code PluginCallException} naming the function. Thrown for Extism host functions and for a
 * component's imports alike.
 */
public final class HostFunctionFailure extends RuntimeException {

    private final String functionName;

    /**
     * @param functionName the host function's name, as the policy grants it
     * @param cause what the host function threw
     */
    public HostFunctionFailure(String functionName, Throwable cause) {
        super("host function '" + functionName + "' failed: " + cause, cause);
        this.functionName = functionName;
    }

    public String functionName() {
        return functionName;
    }
}
