package dev.graft.host.binding;

import java.lang.reflect.Type;

/**
 * Converts typed arguments and results to and from the bytes that cross into a plugin. The default is
 * {@link JacksonPayloadCodec} (JSON); a host may supply another (for example MessagePack).
 */
public interface PayloadCodec {

    /** Encodes a method argument as the call's input bytes. */
    byte[] encode(Object value) throws Exception;

    /** Decodes the call's output bytes as the method's declared (possibly generic) return type. */
    Object decode(byte[] bytes, Type type) throws Exception;
}
