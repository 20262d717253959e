package dev.graft.host.binding;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.lang.reflect.Type;

/**
 * JSON through Jackson 2. Money survives exactly: {@code BigDecimal} values are written as plain JSON
 * numbers (never in exponent form) and read back as {@code BigDecimal}, never through {@code double}.
 *
 * <p>Strict about shape, so a result of the wrong shape is refused rather than half-read: an unknown
 * field, a missing required field, a {@code null} where the Java type has none (a primitive, or a record
 * component not marked {@link dev.graft.api.OptionalField}) and a value of the wrong type are all errors.
 * Record components are required unless marked {@code @OptionalField}.
 */
public final class JacksonPayloadCodec implements PayloadCodec {

    private final ObjectMapper mapper;

    public JacksonPayloadCodec() {
        this(JsonMapper.builder()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .annotationIntrospector(new StrictRecordIntrospector())
                // A wrong type is a mismatch, not a conversion: no 3 for a String, no "3" for an int, no
                // 1.5 for an int. Decimal strings stay allowed: money travels as "12.50".
                .withCoercionConfig(LogicalType.Textual, c -> c
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Integer, c -> c
                        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Boolean, c -> c
                        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
                .enable(com.fasterxml.jackson.core.StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
                .findAndAddModules()
                .build());
    }

    /** Uses the given mapper as it is configured. */
    public JacksonPayloadCodec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * The mapper this codec reads and writes with, for tools that must see payloads exactly as the host
     * does (such as JSON Schema generation in {@code graft schema}); do not reconfigure it.
     */
    public ObjectMapper mapper() {
        return mapper;
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
