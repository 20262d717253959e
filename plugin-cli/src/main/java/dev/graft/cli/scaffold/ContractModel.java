package dev.graft.cli.scaffold;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.graft.api.OptionalField;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import dev.graft.host.binding.ExtensionContract;
import dev.graft.host.binding.JacksonPayloadCodec;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON shapes of an extension point, read from its Java interface the way the host's codec sees them:
 * each {@code @Export} method's argument and result, and every record they reach with its components
 * (JSON name from {@code @JsonProperty}, required unless {@code @OptionalField}, money as a string where
 * {@code @JsonFormat(shape = STRING)} says so). The scaffolds write these shapes in other languages.
 */
public final class ContractModel {

    /** What a value is on the wire. */
    public enum Kind { STRING, DECIMAL_STRING, DECIMAL_NUMBER, INT, FLOAT, BOOL, RAW, BYTES, LIST, RECORD }

    /**
     * A value's shape: a scalar kind, a list of {@code element}, or the record {@code record}; {@code values} are
     * an enum's constants (a STRING that takes only these).
     */
    public record Shape(Kind kind, Shape element, RecordType record, List<String> values) {
        Shape(Kind kind, Shape element, RecordType record) {
            this(kind, element, record, null);
        }

        static Shape of(Kind kind) {
            return new Shape(kind, null, null);
        }

        boolean isDecimal() {
            return kind == Kind.DECIMAL_STRING || kind == Kind.DECIMAL_NUMBER;
        }
    }

    /** A record component: its Java name, its JSON name, its shape and whether it may be absent. */
    public record Field(String javaName, String jsonName, Shape shape, boolean optional) {
    }

    /** A record of the contract; {@code name} is unique within the contract. */
    public record RecordType(Class<?> type, String name, List<Field> fields) {
    }

    /** An export: its name, the Java method, the argument (null when none) and the result (null for void). */
    public record Export(String name, Method method, String argumentName, Shape argument, Shape result) {
    }

    private static final ObjectMapper MAPPER = new JacksonPayloadCodec().mapper();

    private final ExtensionContract contract;
    private final List<Export> exports = new ArrayList<>();
    private final Map<Class<?>, RecordType> records = new LinkedHashMap<>();
    private final List<RecordType> ordered = new ArrayList<>();

    private ContractModel(ExtensionContract contract) {
        this.contract = contract;
    }

    /** Reads the shapes of {@code contract}'s exports, in the order of their Java method names. */
    public static ContractModel of(ExtensionContract contract) {
        ContractModel model = new ContractModel(contract);
        Method[] methods = Arrays.stream(contract.type().getMethods()).filter(m -> contract.exportOf(m) != null)
                .sorted(Comparator.comparing(Method::getName)).toArray(Method[]::new);
        for (Method m : methods) {
            Shape argument = null;
            String argumentName = null;
            if (m.getParameterCount() == 1) {
                Parameter p = m.getParameters()[0];
                argument = model.shape(m.getGenericParameterTypes()[0], p);
                argumentName = p.isNamePresent() ? p.getName() : decapitalize(p.getType().getSimpleName());
            } else if (m.getParameterCount() > 1) {
                throw new IllegalArgumentException(m + " has more than one parameter; an export takes at most one");
            }
            Shape result = m.getReturnType() == void.class ? null : model.shape(m.getGenericReturnType(), m);
            model.exports.add(new Export(contract.exportOf(m), m, argumentName, argument, result));
        }
        return model;
    }

    public ExtensionContract contract() {
        return contract;
    }

    public List<Export> exports() {
        return exports;
    }

    /** The records, each after the records its fields use. */
    public List<RecordType> records() {
        return ordered;
    }

    private Shape shape(Type type, AnnotatedElement annotated) {
        Class<?> raw = rawClass(type);
        if (raw == byte[].class) {
            return Shape.of(Kind.BYTES);
        }
        if (raw == BigDecimal.class) {
            JsonFormat format = annotation(annotated, JsonFormat.class);
            return Shape.of(format != null && format.shape() == JsonFormat.Shape.STRING ? Kind.DECIMAL_STRING : Kind.DECIMAL_NUMBER);
        }
        if (raw.isEnum()) {
            return new Shape(Kind.STRING, null, null, Arrays.stream(raw.getEnumConstants()).map(c -> ((Enum<?>) c).name()).toList());
        }
        if (raw == String.class || raw == char.class || raw == Character.class
                || raw.getName().startsWith("java.time.") || raw == java.util.UUID.class) {
            return Shape.of(Kind.STRING);
        }
        if (raw == int.class || raw == long.class || raw == short.class || raw == byte.class || raw == Integer.class
                || raw == Long.class || raw == Short.class || raw == Byte.class || raw == BigInteger.class) {
            return Shape.of(Kind.INT);
        }
        if (raw == double.class || raw == float.class || raw == Double.class || raw == Float.class) {
            return Shape.of(Kind.FLOAT);
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return Shape.of(Kind.BOOL);
        }
        if (raw.isArray()) {
            Type element = type instanceof GenericArrayType g ? g.getGenericComponentType() : raw.getComponentType();
            return new Shape(Kind.LIST, shape(element, null), null);
        }
        if (Collection.class.isAssignableFrom(raw) && type instanceof ParameterizedType p) {
            return new Shape(Kind.LIST, shape(p.getActualTypeArguments()[0], null), null);
        }
        if (raw.isRecord()) {
            return new Shape(Kind.RECORD, null, record(raw));
        }
        return Shape.of(Kind.RAW);
    }

    private RecordType record(Class<?> type) {
        RecordType known = records.get(type);
        if (known != null) {
            return known;
        }
        List<Field> fields = new ArrayList<>();
        String name = records.values().stream().anyMatch(r -> r.name().equals(type.getSimpleName()))
                ? identifier(type.getName()) : type.getSimpleName();
        RecordType record = new RecordType(type, name, fields);
        records.put(type, record); // before its fields: a record that contains itself becomes RAW below
        Map<String, BeanPropertyDefinition> properties = properties(type);
        for (RecordComponent c : type.getRecordComponents()) {
            AnnotatedElement[] places = {c, c.getAccessor(), field(type, c.getName())};
            // The JSON name as the host's codec reads it (Jackson's view of the record); required unless
            // @OptionalField or java.util.Optional, as StrictRecordIntrospector decides. (Jackson's own isRequired()
            // says false for a component with a plain @JsonProperty, but the codec still refuses it missing or null.)
            BeanPropertyDefinition property = properties.get(c.getName());
            JsonProperty renamed = annotation(places, JsonProperty.class);
            String json = property != null ? property.getName()
                    : renamed != null && !renamed.value().isEmpty() ? renamed.value() : c.getName();
            Type generic = c.getGenericType();
            boolean wrapped = c.getType() == Optional.class;
            if (wrapped) {
                generic = generic instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
            }
            boolean optional = !c.getType().isPrimitive() && (wrapped || annotation(places, OptionalField.class) != null);
            Shape shape = rawClass(generic) == type ? Shape.of(Kind.RAW) : shapeIn(generic, places);
            fields.add(new Field(c.getName(), json, shape, optional));
        }
        ordered.add(record);
        return record;
    }

    /** The record's properties as the host's codec deserializes them, by internal (component) name. */
    private static Map<String, BeanPropertyDefinition> properties(Class<?> type) {
        Map<String, BeanPropertyDefinition> byName = new LinkedHashMap<>();
        try {
            DeserializationConfig config = MAPPER.getDeserializationConfig();
            BeanDescription description = config.introspect(MAPPER.constructType(type));
            for (BeanPropertyDefinition p : description.findProperties()) {
                byName.put(p.getInternalName(), p);
            }
        } catch (RuntimeException e) {
            // Jackson cannot describe it: the annotations decide (see record()).
        }
        return byName;
    }

    private Shape shapeIn(Type type, AnnotatedElement[] places) {
        for (AnnotatedElement place : places) {
            if (place != null && annotation(place, JsonFormat.class) != null) {
                return shape(type, place);
            }
        }
        return shape(type, places[0]);
    }

    private static java.lang.reflect.Field field(Class<?> type, String name) {
        try {
            return type.getDeclaredField(name);
        } catch (NoSuchFieldException e) {
            return null;
        }
    }

    private static <A extends Annotation> A annotation(AnnotatedElement[] places, Class<A> type) {
        for (AnnotatedElement place : places) {
            A a = annotation(place, type);
            if (a != null) {
                return a;
            }
        }
        return null;
    }

    private static <A extends Annotation> A annotation(AnnotatedElement place, Class<A> type) {
        return place == null ? null : place.getAnnotation(type);
    }

    static Class<?> rawClass(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        if (type instanceof GenericArrayType g) {
            return java.lang.reflect.Array.newInstance(rawClass(g.getGenericComponentType()), 0).getClass();
        }
        return Object.class;
    }

    static String decapitalize(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    /** {@code unitPrice} → {@code unit_price}. */
    static String snake(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0 && (Character.isLowerCase(s.charAt(i - 1)) || Character.isDigit(s.charAt(i - 1))
                        || (i + 1 < s.length() && Character.isLowerCase(s.charAt(i + 1))))) {
                    out.append('_');
                }
                out.append(Character.toLowerCase(c));
            } else if (Character.isLetterOrDigit(c)) {
                out.append(c);
            } else {
                out.append('_');
            }
        }
        return out.toString();
    }

    /** An identifier made of the name's letters, digits and underscores. */
    static String identifier(String s) {
        String id = s.replaceAll("[^A-Za-z0-9_]", "_");
        return id.isEmpty() || Character.isDigit(id.charAt(0)) ? "_" + id : id;
    }
}
