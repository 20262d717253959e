package dev.graft.host.abi;

import java.lang.reflect.Type;
import java.util.Objects;

/**
 * A named host function offered to plugins. A plugin may use it only when its policy grants the name.
 *
 * <p>An Extism module imports it from {@code extism:host/user} with Extism's convention for byte-oriented
 * host functions, {@code (i64 input_offset) -> i64 output_offset}, both blocks in kernel memory, and
 * {@link #handler()} serves it. A WebAssembly component imports it as a top-level function whose name is
 * the kebab case of {@link #name()} ({@code erp_customer_tier} and {@code erp.customer.tier} both become
 * {@code erp-customer-tier}), served by {@link #componentForm()}: the {@linkplain #typed() typed form}
 * when there is one, else the bytes handler as {@code func(input: list<u8>) -> list<u8>}.
 *
 * @param name the import name the policy grants
 * @param handler the bytes implementation, for Extism modules
 * @param typed the typed implementation for components, or {@code null} when there is none
 */
public record HostFunctionBinding(String name, HostFunctionHandler handler, TypedHostFunction typed) {

    public HostFunctionBinding {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(handler, "handler");
    }

    /** A bytes host function; a component sees it as {@code func(input: list<u8>) -> list<u8>}. */
    public HostFunctionBinding(String name, HostFunctionHandler handler) {
        this(name, handler, null);
    }

    /**
     * A host function with both forms: {@code bytes} for Extism modules and a typed form for components.
     *
     * @param parameter the Java type of the typed form's one parameter, or {@code null} for none
     * @param result the Java type of its result, or {@code void.class}
     */
    public static HostFunctionBinding typed(String name, HostFunctionHandler bytes, Type parameter, Type result,
            TypedHostFunction.Handler handler) {
        return new HostFunctionBinding(name, bytes, new TypedHostFunction(parameter, result, handler));
    }

    /** The same host function with another bytes handler (a wrapper of this one); the typed form is kept. */
    public HostFunctionBinding withHandler(HostFunctionHandler wrapped) {
        return new HostFunctionBinding(name, wrapped, typed);
    }

    /** What a component's import of this function calls: the typed form, or the bytes handler as {@code byte[] -> byte[]}. */
    public TypedHostFunction componentForm() {
        return typed != null ? typed : TypedHostFunction.ofBytes(handler);
    }
}
