package dev.graft.host.abi;

import java.lang.reflect.Type;
import java.util.Objects;

/**
 * The typed form of a host function, as a WebAssembly component imports it: Java values in and out,
 * converted to and from the import's WIT type through the canonical ABI (no bytes, no JSON). At most one
 * parameter; the mapping of Java types to WIT types is the one extension points use (see
 * {@code dev.graft.host.component.JavaBinding}), and a result may also be imported as
 * {@code result<T, string>}.
 *
 * @param parameter the Java type of the one parameter (generic types allowed), or {@code null} for none
 * @param result the Java type of the result; {@code void.class} (or {@code null}) for none
 * @param handler the Java implementation
 */
public record TypedHostFunction(Type parameter, Type result, Handler handler) {

    /**
     * Java code a component calls as a typed host function. It runs on the calling thread, inside the
     * plugin call, as an Extism host function does.
     */
    @FunctionalInterface
    public interface Handler {

        /**
         * Handles one call.
         *
         * @param pluginId the calling plugin
         * @param argument the argument as a value of {@link #parameter()}, or {@code null} when there is none
         * @return the result as a value of {@link #result()} ({@code null} for void, or for an absent option)
         * @throws Exception any failure: it ends the plugin call with {@code PluginCallException}, its message
         *     kept from the plugin; only a {@link dev.graft.api.HostFunctionError}, when the component imports the
         *     function with a {@code result<T, string>}, is handed to the component as the error case
         */
        Object handle(String pluginId, Object argument) throws Exception;
    }

    public TypedHostFunction {
        result = result == null || result == Void.class ? void.class : result;
        Objects.requireNonNull(handler, "handler");
    }

    /** The typed form of a bytes host function: {@code byte[] -> byte[]}, WIT {@code func(input: list<u8>) -> list<u8>}. */
    public static TypedHostFunction ofBytes(HostFunctionHandler bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return new TypedHostFunction(byte[].class, byte[].class, (pluginId, argument) -> bytes.handle(pluginId,
                (byte[]) argument));
    }
}
