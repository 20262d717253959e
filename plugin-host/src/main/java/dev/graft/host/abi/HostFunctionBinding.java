package dev.graft.host.abi;

import java.util.Objects;

/**
 * A named host function offered to plugins in {@code extism:host/user}. A plugin may import it only
 * when its policy grants the name. The Wasm signature is Extism's convention for byte-oriented host
 * functions: {@code (i64 input_offset) -> i64 output_offset}, both blocks in kernel memory.
 *
 * @param name the import name
 * @param handler the Java implementation
 */
public record HostFunctionBinding(String name, HostFunctionHandler handler) {

    public HostFunctionBinding {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(handler, "handler");
    }
}
