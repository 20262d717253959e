package dev.graft.samples.erp.replay;

import dev.graft.host.binding.JacksonPayloadCodec;
import dev.graft.host.binding.PayloadCodec;
import java.io.UncheckedIOException;
import java.lang.reflect.Type;

/**
 * How a call to a WebAssembly component is recorded. Its values cross the sandbox's boundary by the
 * canonical ABI, not as bytes the host encoded, so there are no exact input bytes to keep: the recording
 * holds the Java values the host passed and got back instead, in the same JSON the codec writes for an
 * Extism plugin, and replay decodes them to make the same typed call again.
 */
public final class ComponentValues {

    private static final PayloadCodec JSON = new JacksonPayloadCodec();

    private ComponentValues() {
    }

    /** A typed value (an argument or an answer) as the codec's JSON. */
    public static byte[] json(Object value) {
        try {
            return JSON.encode(value);
        } catch (Exception e) {
            throw new IllegalStateException("cannot record a component call's value as JSON: " + e.getMessage(), e);
        }
    }

    /** A recorded value back as a Java value of {@code type}. */
    public static Object read(byte[] json, Type type) {
        try {
            return JSON.decode(json, type);
        } catch (Exception e) {
            throw new IllegalArgumentException("the recorded component value does not decode as " + type.getTypeName()
                    + ": " + e.getMessage(), e);
        }
    }
}
