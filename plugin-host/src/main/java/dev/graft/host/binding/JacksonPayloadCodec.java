package dev.graft.host.binding;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.lang.reflect.Type;

/**
 * JSON through Jackson 2. Money survives exactly: {@code BigDecimal} values are written as plain JSON
 * numbers (never in exponent form) and read back as {@code BigDecimal}, never through {@code double}.
 * Unknown properties are an error, so a result of the wrong shape is noticed rather than half-read.
 */
public final class JacksonPayloadCodec implements PayloadCodec {

    private final ObjectMapper mapper;

    public JacksonPayloadCodec() {
        this(JsonMapper.builder()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(com.fasterxml.jackson.core.StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
                .findAndAddModules()
                .build());
    }

    /** Uses the given mapper as it is configured. */
    public JacksonPayloadCodec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public byte[] encode(Object value) throws Exception {
        return mapper.writeValueAsBytes(value);
    }

    @Override
    public Object decode(byte[] bytes, Type type) throws Exception {
        JavaType javaType = mapper.getTypeFactory().constructType(type);
        return mapper.readValue(bytes, javaType);
    }
}
