package dev.graft.samples.erp.replay;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.Deserializers;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.graft.host.binding.JacksonPayloadCodec;
import dev.graft.host.binding.PayloadCodec;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Optional;

/**
 * How a call to a WebAssembly component is recorded. Its values cross the sandbox's boundary by the
 * canonical ABI, not as bytes the host encoded, so there are no exact input bytes to keep: the recording
 * holds the Java values the host passed and got back instead, in the same JSON the codec writes for an
 * Extism plugin, and replay decodes them to make the same typed call again. A typed host function's
 * argument and result are recorded the same way ({@link HostCall#typed()}).
 *
 * <p>{@code Optional<T>} (a typed host function's {@code option<T>}) is written as its value or {@code null}
 * and read back so, as Jackson's JDK 8 module would; the application's codec has no such module, and needs
 * none for its contracts.
 */
public final class ComponentValues {

    private static final PayloadCodec JSON = new JacksonPayloadCodec(new JacksonPayloadCodec().mapper().copy()
            .registerModule(optionals()));

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

    /** {@code Optional<T>} as {@code T} or {@code null}, both ways. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static SimpleModule optionals() {
        SimpleModule module = new SimpleModule("component-values-optionals") {
            @Override
            public void setupModule(SetupContext context) {
                super.setupModule(context);
                context.addDeserializers(new OptionalDeserializers());
            }
        };
        module.addSerializer(Optional.class, new StdSerializer<Optional>(Optional.class) {
            @Override
            public void serialize(Optional value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                if (value.isPresent()) {
                    provider.defaultSerializeValue(value.get(), gen);
                } else {
                    gen.writeNull();
                }
            }
        });
        return module;
    }

    /** Reads {@code Optional<T>} as its content type, {@code null} as {@code Optional.empty()}. */
    private static final class OptionalDeserializers extends Deserializers.Base {
        @Override
        public JsonDeserializer<?> findBeanDeserializer(JavaType type, DeserializationConfig config,
                BeanDescription beanDesc) {
            if (!type.hasRawClass(Optional.class)) {
                return null;
            }
            JavaType content = type.containedTypeOrUnknown(0);
            return new JsonDeserializer<Optional<?>>() {
                @Override
                public Optional<?> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                    return Optional.ofNullable(ctxt.readValue(p, content));
                }

                @Override
                public Optional<?> getNullValue(DeserializationContext ctxt) {
                    return Optional.empty();
                }
            };
        }
    }
}
