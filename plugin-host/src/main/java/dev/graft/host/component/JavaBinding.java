package dev.graft.host.component;

import dev.graft.api.OptionalField;
import dev.graft.api.PluginCallException;
import dev.graft.api.PluginCodecException;
import dev.graft.host.component.CanonicalAbi.CaseValue;
import dev.graft.host.component.ComponentParser.FuncType;
import dev.graft.host.component.WitType.Primitive;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Constructor;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * How the Java types of an extension point's method map onto a component function's WIT type, checked
 * once when the binding is made, and the conversion of values both ways at each call (no JSON in
 * between). The mapping: records to records (fields by kebab-case name, in order), {@code String} and
 * {@code BigDecimal} (its plain string form) to {@code string}, {@code int}/{@code long}/{@code short}/
 * {@code byte} to {@code s32}/{@code s64}/{@code s16}/{@code s8} ({@code int} also to {@code u8}/
 * {@code u16}, {@code long} to {@code u32}/{@code u64}), {@code boolean} to {@code bool}, {@code float}/
 * {@code double} to {@code f32}/{@code f64}, {@code char} to {@code char}, {@code List} to {@code list},
 * {@code byte[]} to {@code list<u8>}, other arrays to {@code list}, {@code @OptionalField} (or any
 * annotation named {@code Nullable}) or {@code Optional} to {@code option}, {@code OptionalInt}/
 * {@code OptionalLong}/{@code OptionalDouble} to {@code option<s32|s64|f64>},
 * enums to {@code enum}, {@code Set} of an enum to {@code flags}, sealed interfaces of records to
 * {@code variant} (a case per permitted record, by kebab-case simple name), and a method's result to
 * {@code result<T, string>} (or {@code T} itself), whose error becomes a {@link PluginCallException}.
 */
public final class JavaBinding {

    private final String export;
    private final FuncType type;
    private final List<Converter> params;
    private final Converter result;
    /** Whether the export returns {@code result<T, string>} (its error is the plugin's failure). */
    private final boolean resultWrapped;

    private JavaBinding(String export, FuncType type, List<Converter> params, Converter result, boolean resultWrapped) {
        this.export = export;
        this.type = type;
        this.params = params;
        this.result = result;
        this.resultWrapped = resultWrapped;
    }

    /**
     * The kebab-case WIT name of a Java or host name: {@code apply_rule} and {@code applyRule} become
     * {@code apply-rule} (a contract export), {@code erp.customer.tier} becomes {@code erp-customer-tier}
     * (a host function a component imports).
     */
    public static String witName(String name) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '_' || c == '-' || c == ' ' || c == '.') {
                if (out.length() > 0 && out.charAt(out.length() - 1) != '-') {
                    out.append('-');
                }
                continue;
            }
            if (Character.isUpperCase(c) && out.length() > 0 && out.charAt(out.length() - 1) != '-') {
                char prev = name.charAt(i - 1);
                boolean nextLower = i + 1 < name.length() && Character.isLowerCase(name.charAt(i + 1));
                if (!Character.isUpperCase(prev) || nextLower) {
                    out.append('-');
                }
            }
            out.append(Character.toLowerCase(c));
        }
        int end = out.length();
        while (end > 0 && out.charAt(end - 1) == '-') {
            end--;
        }
        return out.substring(0, end);
    }

    /** Thrown while matching types: where (a path) and what differs. */
    public static final class Mismatch extends Exception {
        Mismatch(String path, String difference) {
            super("at " + path + ": " + difference);
        }
    }

    /**
     * Matches a contract method with a component function type.
     *
     * @throws Mismatch naming where and how the two differ
     */
    public static JavaBinding of(Method method, String export, FuncType type) throws Mismatch {
        return bind(method.getName(), method.getGenericParameterTypes(), method.getParameters(),
                method.getGenericReturnType(), method, export, type);
    }

    /**
     * Matches a typed host function with the type of the component's import of it: the parameter (if any)
     * with the function's one parameter, the result with its result, {@code result<T, string>} or none.
     *
     * @param hostFunction the host function's name, for messages
     * @param parameter the Java parameter type, or {@code null} for none
     * @param result the Java result type ({@code void.class} for none)
     * @throws Mismatch naming where and how the two differ
     */
    public static JavaBinding ofHostFunction(String hostFunction, Type parameter, Type result, FuncType type)
            throws Mismatch {
        Type[] params = parameter == null ? new Type[0] : new Type[] {parameter};
        return bind("host function '" + hostFunction + "'", params, new AnnotatedElement[params.length], result, null,
                hostFunction, type);
    }

    private static JavaBinding bind(String javaName, Type[] javaParams, AnnotatedElement[] paramAnnotations,
            Type returned, AnnotatedElement resultAnnotations, String export, FuncType type) throws Mismatch {
        if (javaParams.length != type.params().size()) {
            throw new Mismatch("the parameters", "the function takes " + type.params().size() + " but "
                    + javaName + " takes " + javaParams.length);
        }
        List<Converter> params = new ArrayList<>();
        for (int i = 0; i < javaParams.length; i++) {
            WitType.Field p = type.params().get(i);
            params.add(converter(javaParams[i], paramAnnotations[i], p.type(), p.name()));
        }
        boolean isVoid = returned == void.class || returned == Void.class;
        WitType witResult = type.result();
        if (witResult instanceof WitType.ResultType r && r.error() == Primitive.STRING) {
            if (isVoid) {
                if (r.ok() != null) {
                    throw new Mismatch("the result", "the function returns " + r + " but " + javaName
                            + " returns void");
                }
                return new JavaBinding(export, type, params, null, true);
            }
            if (r.ok() == null) {
                throw new Mismatch("the result", "the function returns " + r + " (no value) but " + javaName
                        + " returns " + returned.getTypeName());
            }
            return new JavaBinding(export, type, params, converter(returned, resultAnnotations, r.ok(), "$"), true);
        }
        if (isVoid) {
            if (witResult != null) {
                throw new Mismatch("the result", "the function returns " + witResult + " but " + javaName
                        + " returns void");
            }
            return new JavaBinding(export, type, params, null, false);
        }
        if (witResult == null) {
            throw new Mismatch("the result", "the function returns nothing but " + javaName + " returns "
                    + returned.getTypeName());
        }
        return new JavaBinding(export, type, params, converter(returned, resultAnnotations, witResult, "$"), false);
    }

    /** The WIT function type the binding was made for. */
    public FuncType type() {
        return type;
    }

    /**
     * The host values of the arguments.
     *
     * @throws IllegalArgumentException when an argument does not fit its WIT type (a {@code null} where
     *     nothing is optional, a number out of range)
     */
    public Object[] lower(Object[] args) {
        Object[] out = new Object[params.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = params.get(i).toWit(args[i], Where.root(type.params().get(i).name()));
        }
        return out;
    }

    /**
     * The Java result from the lifted value.
     *
     * @throws PluginCallException when the export returned the error case of its {@code result}
     * @throws PluginCodecException when a value does not convert (a decimal string that is not a number)
     */
    public Object lift(String pluginId, Object value) {
        Object ok = value;
        if (resultWrapped) {
            CaseValue r = (CaseValue) value;
            if (r.index() == 1) {
                throw new PluginCallException(pluginId, export, String.valueOf(r.payload()));
            }
            ok = r.payload();
        }
        if (result == null) {
            return null;
        }
        try {
            return result.toJava(ok, Where.RESULT);
        } catch (ConversionFailure e) {
            throw new PluginCodecException(pluginId, export, e.path, "result of '" + export + "' does not convert to "
                    + "the Java type at " + e.path + ": " + e.getMessage(), e.getCause());
        }
    }

    // ---- The import direction: a component calls a host function ----

    /**
     * The Java arguments of a host function from the lifted values of the import's parameters.
     *
     * @throws PluginCodecException when a value does not convert (a decimal string that is not a number)
     */
    Object[] argumentsToJava(String pluginId, String caller, Object[] values) {
        Object[] out = new Object[params.size()];
        for (int i = 0; i < out.length; i++) {
            String name = type.params().get(i).name();
            try {
                out[i] = params.get(i).toJava(values[i], Where.root(name));
            } catch (ConversionFailure e) {
                throw new PluginCodecException(pluginId, caller, e.path, "argument '" + name + "' of host function '"
                        + export + "' does not convert to the Java type at " + e.path + ": " + e.getMessage(),
                        e.getCause());
            }
        }
        return out;
    }

    /**
     * The value of the import's result for the host function's Java result ({@code null} when the import
     * returns nothing): wrapped as the ok case when the import returns {@code result<T, string>}.
     *
     * @throws IllegalArgumentException when the result does not fit its WIT type (a {@code null} where
     *     nothing is optional, a number out of range)
     */
    Object resultToWit(Object value) {
        Object converted = result == null ? null : result.toWit(value, Where.RESULT);
        return resultWrapped ? new CaseValue(0, converted) : converted;
    }

    /** Whether the function's result is {@code result<T, string>}, whose error case carries a failure's message. */
    boolean resultWrapped() {
        return resultWrapped;
    }

    /** A value that does not convert to Java (found while lifting). */
    private static final class ConversionFailure extends RuntimeException {
        final String path;

        ConversionFailure(Where path, String message, Throwable cause) {
            super(message, cause);
            this.path = path.toString();
        }
    }

    /**
     * Where a value sits in the argument or result (`line.customer.tier`, `$[2].amount`), for error messages
     * only: built as a chain of small nodes during a conversion and turned into text only when a message needs
     * it, so a call pays no string building.
     */
    static final class Where {
        static final Where RESULT = root("$");

        private final Where parent;
        private final String name;
        private final int index;

        private Where(Where parent, String name, int index) {
            this.parent = parent;
            this.name = name;
            this.index = index;
        }

        static Where root(String name) {
            return new Where(null, name, -1);
        }

        Where field(String field) {
            return new Where(this, field, -1);
        }

        Where index(int i) {
            return new Where(this, null, i);
        }

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder();
            append(text);
            return text.toString();
        }

        private void append(StringBuilder text) {
            if (parent != null) {
                parent.append(text);
            }
            if (name == null) {
                text.append('[').append(index).append(']');
            } else {
                text.append(parent == null ? "" : ".").append(name);
            }
        }
    }

    private interface Converter {
        Object toWit(Object java, Where path);

        Object toJava(Object wit, Where path);
    }

    private static Converter converter(Type java, AnnotatedElement annotations, WitType wit, String path)
            throws Mismatch {
        boolean optionalField = annotations != null && (annotations.isAnnotationPresent(OptionalField.class)
                || Arrays.stream(annotations.getAnnotations())
                        .anyMatch(a -> a.annotationType().getSimpleName().equals("Nullable")));
        Class<?> raw = rawClass(java);
        if (raw == OptionalInt.class || raw == OptionalLong.class
                || raw == OptionalDouble.class) {
            return primitiveOptional(raw, wit, path);
        }
        if (raw == Optional.class) {
            if (!(wit instanceof WitType.OptionType o)) {
                throw new Mismatch(path, "Java Optional but WIT " + wit);
            }
            Converter inner = converter(typeArgument(java, path), null, o.type(), path);
            return new Converter() {
                @Override
                public Object toWit(Object value, Where p) {
                    Optional<?> opt = (Optional<?>) value;
                    return opt == null || opt.isEmpty() ? new CaseValue(0, null) : new CaseValue(1, inner.toWit(opt.get(), p));
                }

                @Override
                public Object toJava(Object value, Where p) {
                    CaseValue c = (CaseValue) value;
                    return c.index() == 0 ? Optional.empty() : Optional.of(inner.toJava(c.payload(), p));
                }
            };
        }
        if (wit instanceof WitType.OptionType o) {
            if (!optionalField) {
                throw new Mismatch(path, "WIT " + wit + " but Java " + java.getTypeName()
                        + " is required (mark it @OptionalField or make it an Optional)");
            }
            if (raw.isPrimitive()) {
                throw new Mismatch(path, "WIT " + wit + " but Java " + raw + " cannot be null");
            }
            Converter inner = converter(java, null, o.type(), path);
            return new Converter() {
                @Override
                public Object toWit(Object value, Where p) {
                    return value == null ? new CaseValue(0, null) : new CaseValue(1, inner.toWit(value, p));
                }

                @Override
                public Object toJava(Object value, Where p) {
                    CaseValue c = (CaseValue) value;
                    return c.index() == 0 ? null : inner.toJava(c.payload(), p);
                }
            };
        }
        if (optionalField) {
            throw new Mismatch(path, "Java " + java.getTypeName() + " is @OptionalField but WIT " + wit
                    + " is not an option");
        }
        Converter plain = plainConverter(java, raw, wit, path);
        return new Converter() {
            @Override
            public Object toWit(Object value, Where p) {
                if (value == null) {
                    throw new IllegalArgumentException("null at " + p + ", where WIT " + wit
                            + " is required (mark the Java component @OptionalField to allow it)");
                }
                return plain.toWit(value, p);
            }

            @Override
            public Object toJava(Object value, Where p) {
                return plain.toJava(value, p);
            }
        };
    }

    private static Converter plainConverter(Type java, Class<?> raw, WitType wit, String path) throws Mismatch {
        if (wit instanceof Primitive p) {
            Converter c = primitive(raw, p);
            if (c == null) {
                throw new Mismatch(path, "WIT " + p + " but Java " + java.getTypeName() + " (" + expected(p) + ")");
            }
            return c;
        }
        if (wit instanceof WitType.ListType l) {
            if (raw == byte[].class && l.element() == Primitive.U8) {
                return new Converter() {
                    @Override
                    public Object toWit(Object value, Where p) {
                        List<Object> out = new ArrayList<>();
                        for (byte b : (byte[]) value) {
                            out.add(b & 0xff);
                        }
                        return out;
                    }

                    @Override
                    public Object toJava(Object value, Where p) {
                        List<?> in = (List<?>) value;
                        byte[] out = new byte[in.size()];
                        for (int i = 0; i < out.length; i++) {
                            out[i] = (byte) (int) (Integer) in.get(i);
                        }
                        return out;
                    }
                };
            }
            if (raw.isArray() && raw != byte[].class) {
                Class<?> componentType = raw.getComponentType();
                Type elementType = java instanceof GenericArrayType g ? g.getGenericComponentType() : componentType;
                Converter element = converter(elementType, null, l.element(), path + "[]");
                return new Converter() {
                    @Override
                    public Object toWit(Object value, Where p) {
                        int n = Array.getLength(value);
                        List<Object> out = new ArrayList<>(n);
                        for (int i = 0; i < n; i++) {
                            out.add(element.toWit(Array.get(value, i), p.index(i)));
                        }
                        return out;
                    }

                    @Override
                    public Object toJava(Object value, Where p) {
                        List<?> in = (List<?>) value;
                        Object out = Array.newInstance(componentType, in.size());
                        for (int i = 0; i < in.size(); i++) {
                            Array.set(out, i, element.toJava(in.get(i), p.index(i)));
                        }
                        return out;
                    }
                };
            }
            if (raw != List.class && raw != Collection.class) {
                throw new Mismatch(path, "WIT " + wit + " but Java " + java.getTypeName() + " (a List)");
            }
            Converter element = converter(typeArgument(java, path), null, l.element(), path + "[]");
            return new Converter() {
                @Override
                public Object toWit(Object value, Where p) {
                    List<?> in = (List<?>) value;
                    List<Object> out = new ArrayList<>(in.size());
                    for (int i = 0; i < in.size(); i++) {
                        out.add(element.toWit(in.get(i), p.index(i)));
                    }
                    return out;
                }

                @Override
                public Object toJava(Object value, Where p) {
                    List<?> in = (List<?>) value;
                    List<Object> out = new ArrayList<>(in.size());
                    for (int i = 0; i < in.size(); i++) {
                        out.add(element.toJava(in.get(i), p.index(i)));
                    }
                    return Collections.unmodifiableList(out);
                }
            };
        }
        if (wit instanceof WitType.RecordType r) {
            if (!raw.isRecord()) {
                throw new Mismatch(path, "WIT " + abbreviate(wit) + " but Java " + java.getTypeName() + " is not a record");
            }
            return recordConverter(raw, r, path);
        }
        if (wit instanceof WitType.EnumType e) {
            if (!raw.isEnum()) {
                throw new Mismatch(path, "WIT " + wit + " but Java " + java.getTypeName() + " is not an enum");
            }
            Object[] constants = raw.getEnumConstants();
            List<String> names = new ArrayList<>();
            for (Object c : constants) {
                names.add(witName(((Enum<?>) c).name()));
            }
            if (!names.equals(e.labels())) {
                throw new Mismatch(path, "WIT " + wit + " but Java enum " + raw.getSimpleName() + " has " + names);
            }
            return new Converter() {
                @Override
                public Object toWit(Object value, Where p) {
                    return new CaseValue(((Enum<?>) value).ordinal(), null);
                }

                @Override
                public Object toJava(Object value, Where p) {
                    return constants[((CaseValue) value).index()];
                }
            };
        }
        if (wit instanceof WitType.FlagsType f) {
            Class<?> element = Set.class.isAssignableFrom(raw) ? rawClass(typeArgument(java, path)) : null;
            if (element == null || !element.isEnum()) {
                throw new Mismatch(path, "WIT " + wit + " but Java " + java.getTypeName() + " (a Set of an enum)");
            }
            Object[] constants = element.getEnumConstants();
            List<String> names = new ArrayList<>();
            for (Object c : constants) {
                names.add(witName(((Enum<?>) c).name()));
            }
            if (!names.equals(f.labels())) {
                throw new Mismatch(path, "WIT " + wit + " but Java enum " + element.getSimpleName() + " has " + names);
            }
            return flagsConverter(element, constants);
        }
        if (wit instanceof WitType.VariantType v) {
            if (!raw.isSealed() || !raw.isInterface()) {
                throw new Mismatch(path, "WIT " + abbreviate(wit) + " but Java " + java.getTypeName()
                        + " is not a sealed interface");
            }
            return variantConverter(raw, v, path);
        }
        throw new Mismatch(path, "WIT " + abbreviate(wit) + " has no Java mapping (" + java.getTypeName() + ")");
    }

    /** {@code OptionalInt}, {@code OptionalLong}, {@code OptionalDouble} to {@code option<s32|s64|f64>}. */
    private static Converter primitiveOptional(Class<?> raw, WitType wit, String path) throws Mismatch {
        Primitive inner = raw == OptionalInt.class ? Primitive.S32
                : raw == OptionalLong.class ? Primitive.S64 : Primitive.F64;
        if (!(wit instanceof WitType.OptionType o) || o.type() != inner) {
            throw new Mismatch(path, "Java " + raw.getSimpleName() + " but WIT " + wit + " (option<" + inner + ">)");
        }
        return new Converter() {
            @Override
            public Object toWit(Object value, Where p) {
                if (value instanceof OptionalInt i) {
                    return i.isPresent() ? new CaseValue(1, i.getAsInt()) : new CaseValue(0, null);
                }
                if (value instanceof OptionalLong l) {
                    return l.isPresent() ? new CaseValue(1, l.getAsLong()) : new CaseValue(0, null);
                }
                OptionalDouble d = (OptionalDouble) value;
                return d != null && d.isPresent() ? new CaseValue(1, d.getAsDouble()) : new CaseValue(0, null);
            }

            @Override
            public Object toJava(Object value, Where p) {
                CaseValue c = (CaseValue) value;
                if (raw == OptionalInt.class) {
                    return c.index() == 0 ? OptionalInt.empty() : OptionalInt.of((Integer) c.payload());
                }
                if (raw == OptionalLong.class) {
                    return c.index() == 0 ? OptionalLong.empty() : OptionalLong.of((Long) c.payload());
                }
                return c.index() == 0 ? OptionalDouble.empty()
                        : OptionalDouble.of((Double) c.payload());
            }
        };
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Converter flagsConverter(Class<?> element, Object[] constants) {
        return new Converter() {
            @Override
            public Object toWit(Object value, Where p) {
                int bits = 0;
                for (Object e : (Set<?>) value) {
                    bits |= 1 << ((Enum<?>) e).ordinal();
                }
                return bits;
            }

            @Override
            public Object toJava(Object value, Where p) {
                int bits = (Integer) value;
                EnumSet set = EnumSet.noneOf((Class) element);
                for (int i = 0; i < constants.length; i++) {
                    if ((bits & (1 << i)) != 0) {
                        set.add(constants[i]);
                    }
                }
                return set;
            }
        };
    }

    private static Converter recordConverter(Class<?> raw, WitType.RecordType r, String path) throws Mismatch {
        RecordComponent[] components = raw.getRecordComponents();
        List<String> javaNames = new ArrayList<>();
        for (RecordComponent c : components) {
            javaNames.add(witName(c.getName()));
        }
        List<String> witNames = r.fields().stream().map(WitType.Field::name).toList();
        if (!javaNames.equals(witNames)) {
            throw new Mismatch(path, "WIT record fields " + witNames + " but Java record " + raw.getSimpleName()
                    + " has " + javaNames);
        }
        Converter[] fields = new Converter[components.length];
        Method[] accessors = new Method[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            fields[i] = converter(components[i].getGenericType(), components[i], r.fields().get(i).type(),
                    path + "." + components[i].getName());
            accessors[i] = components[i].getAccessor();
            accessors[i].setAccessible(true);
            types[i] = components[i].getType();
        }
        Constructor<?> constructor;
        try {
            constructor = raw.getDeclaredConstructor(types);
            constructor.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new Mismatch(path, "Java record " + raw.getName() + " has no usable canonical constructor: " + e);
        }
        return new Converter() {
            @Override
            public Object toWit(Object value, Where p) {
                Object[] out = new Object[fields.length];
                for (int i = 0; i < fields.length; i++) {
                    Object component;
                    try {
                        component = accessors[i].invoke(value);
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalArgumentException("cannot read " + p.field(components[i].getName()) + ": " + e, e);
                    }
                    out[i] = fields[i].toWit(component, p.field(components[i].getName()));
                }
                return out;
            }

            @Override
            public Object toJava(Object value, Where p) {
                Object[] in = (Object[]) value;
                Object[] args = new Object[fields.length];
                for (int i = 0; i < fields.length; i++) {
                    args[i] = fields[i].toJava(in[i], p.field(components[i].getName()));
                }
                try {
                    return constructor.newInstance(args);
                } catch (InvocationTargetException e) {
                    throw new ConversionFailure(p, raw.getSimpleName() + " refused the values: " + e.getCause(),
                            e.getCause());
                } catch (ReflectiveOperationException e) {
                    throw new ConversionFailure(p, "cannot construct " + raw.getSimpleName() + ": " + e, e);
                }
            }
        };
    }

    private static Converter variantConverter(Class<?> raw, WitType.VariantType v, String path) throws Mismatch {
        Class<?>[] permitted = raw.getPermittedSubclasses();
        List<String> names = new ArrayList<>();
        for (Class<?> c : permitted) {
            names.add(witName(c.getSimpleName()));
        }
        List<String> witNames = v.cases().stream().map(WitType.Case::name).toList();
        if (!names.equals(witNames)) {
            throw new Mismatch(path, "WIT variant cases " + witNames + " but Java " + raw.getSimpleName() + " permits "
                    + names);
        }
        Converter[] cases = new Converter[permitted.length];
        for (int i = 0; i < permitted.length; i++) {
            Class<?> c = permitted[i];
            WitType payload = v.cases().get(i).type();
            String casePath = path + "<" + c.getSimpleName() + ">";
            if (!c.isRecord()) {
                throw new Mismatch(casePath, "a variant case must be a record; " + c.getName() + " is not");
            }
            if (payload == null) {
                if (c.getRecordComponents().length != 0) {
                    throw new Mismatch(casePath, "WIT case '" + witNames.get(i) + "' has no payload but "
                            + c.getSimpleName() + " has components");
                }
                cases[i] = emptyRecord(c, casePath);
            } else if (payload instanceof WitType.RecordType rt) {
                cases[i] = recordConverter(c, rt, casePath);
            } else {
                throw new Mismatch(casePath, "WIT case '" + witNames.get(i) + "' carries " + abbreviate(payload)
                        + "; Graft maps a case to a record");
            }
        }
        return new Converter() {
            @Override
            public Object toWit(Object value, Where p) {
                for (int i = 0; i < permitted.length; i++) {
                    if (permitted[i].isInstance(value)) {
                        return new CaseValue(i, cases[i].toWit(value, p));
                    }
                }
                throw new IllegalArgumentException(value.getClass() + " at " + p + " is not a permitted case");
            }

            @Override
            public Object toJava(Object value, Where p) {
                CaseValue c = (CaseValue) value;
                return cases[c.index()].toJava(c.payload(), p);
            }
        };
    }

    private static Converter emptyRecord(Class<?> c, String path) throws Mismatch {
        Constructor<?> constructor;
        try {
            constructor = c.getDeclaredConstructor();
            constructor.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new Mismatch(path, "no canonical constructor: " + e);
        }
        return new Converter() {
            @Override
            public Object toWit(Object value, Where p) {
                return null;
            }

            @Override
            public Object toJava(Object value, Where p) {
                try {
                    return constructor.newInstance();
                } catch (ReflectiveOperationException e) {
                    throw new ConversionFailure(p, "cannot construct " + c.getSimpleName() + ": " + e, e);
                }
            }
        };
    }

    private static Converter primitive(Class<?> raw, Primitive p) {
        switch (p) {
            case STRING -> {
                if (raw == String.class) {
                    return same();
                }
                if (raw == BigDecimal.class) {
                    return new Converter() {
                        @Override
                        public Object toWit(Object value, Where path) {
                            return ((BigDecimal) value).toPlainString();
                        }

                        @Override
                        public Object toJava(Object value, Where path) {
                            try {
                                return new BigDecimal((String) value);
                            } catch (NumberFormatException e) {
                                throw new ConversionFailure(path, "'" + abbreviate(value) + "' is not a decimal number", e);
                            }
                        }
                    };
                }
                return null;
            }
            case BOOL -> {
                return raw == boolean.class || raw == Boolean.class ? same() : null;
            }
            case S32 -> {
                return raw == int.class || raw == Integer.class ? same() : null;
            }
            case S64, U64 -> {
                return raw == long.class || raw == Long.class ? same() : null;
            }
            case S16 -> {
                return raw == short.class || raw == Short.class ? ints(Short.MIN_VALUE, Short.MAX_VALUE, true) : null;
            }
            case S8 -> {
                return raw == byte.class || raw == Byte.class ? ints(Byte.MIN_VALUE, Byte.MAX_VALUE, true) : null;
            }
            case U8, U16 -> {
                return raw == int.class || raw == Integer.class ? ints(0, p == Primitive.U8 ? 0xff : 0xffff, false) : null;
            }
            case U32 -> {
                if (raw != long.class && raw != Long.class) {
                    return null;
                }
                return new Converter() {
                    @Override
                    public Object toWit(Object value, Where path) {
                        long v = (Long) value;
                        if (v < 0 || v > 0xffffffffL) {
                            throw new IllegalArgumentException(v + " at " + path + " is outside u32");
                        }
                        return v;
                    }

                    @Override
                    public Object toJava(Object value, Where path) {
                        return value;
                    }
                };
            }
            case F32 -> {
                return raw == float.class || raw == Float.class ? same() : null;
            }
            case F64 -> {
                return raw == double.class || raw == Double.class ? same() : null;
            }
            case CHAR -> {
                if (raw != char.class && raw != Character.class) {
                    return null;
                }
                return new Converter() {
                    @Override
                    public Object toWit(Object value, Where path) {
                        char c = (Character) value;
                        if (Character.isSurrogate(c)) {
                            throw new IllegalArgumentException("a lone surrogate at " + path + " is not a WIT char");
                        }
                        return (int) c;
                    }

                    @Override
                    public Object toJava(Object value, Where path) {
                        int cp = (Integer) value;
                        if (cp > 0xffff) {
                            throw new ConversionFailure(path, "U+" + Integer.toHexString(cp).toUpperCase(Locale.ROOT)
                                    + " does not fit a Java char", null);
                        }
                        return (char) cp;
                    }
                };
            }
            default -> {
                return null;
            }
        }
    }

    /** A narrow integer type carried as an Integer on the WIT side, converted to the Java box of {@code signed}'s width. */
    private static Converter ints(int min, int max, boolean narrowJava) {
        return new Converter() {
            @Override
            public Object toWit(Object value, Where path) {
                int v = ((Number) value).intValue();
                if (v < min || v > max) {
                    throw new IllegalArgumentException(v + " at " + path + " is outside " + min + ".." + max);
                }
                return v;
            }

            @Override
            public Object toJava(Object value, Where path) {
                int v = (Integer) value;
                if (!narrowJava) {
                    return v;
                }
                return max == Short.MAX_VALUE ? (Object) (short) v : (Object) (byte) v;
            }
        };
    }

    private static Converter same() {
        return new Converter() {
            @Override
            public Object toWit(Object value, Where path) {
                return value;
            }

            @Override
            public Object toJava(Object value, Where path) {
                return value;
            }
        };
    }

    private static String expected(Primitive p) {
        return switch (p) {
            case STRING -> "String or BigDecimal";
            case BOOL -> "boolean";
            case S8 -> "byte";
            case S16 -> "short";
            case S32, U8, U16 -> "int";
            case S64, U32, U64 -> "long";
            case F32 -> "float";
            case F64 -> "double";
            case CHAR -> "char";
        };
    }

    private static Type typeArgument(Type java, String path) throws Mismatch {
        if (java instanceof ParameterizedType p && p.getActualTypeArguments().length == 1) {
            return p.getActualTypeArguments()[0];
        }
        throw new Mismatch(path, "Java " + java.getTypeName() + " has no element type");
    }

    static Class<?> rawClass(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        if (type instanceof GenericArrayType) {
            return Object[].class;
        }
        return Object.class;
    }

    private static String abbreviate(Object o) {
        String s = String.valueOf(o);
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
