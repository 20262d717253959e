package dev.graft.cli;

import dev.graft.api.OptionalField;
import dev.graft.host.binding.ExtensionContract;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The WIT world of an {@code @ExtensionPoint}: what a WebAssembly component must export to implement it.
 * Package {@code graft:<id>@<version>.0.0}, world {@code <id>}; every type the exports use is defined inside
 * the world, dependencies first; each export is {@code func(<param>: T) -> result<R, string>}, the error
 * string being the plugin's failure. The mapping (see docs/components.md, "WIT from extension points"):
 * records → record, {@code String} and {@code BigDecimal} → string, Java primitives and their boxes → the WIT
 * number types, bool and char, {@code List<T>} and arrays → list (byte[] → list&lt;u8&gt;),
 * {@code @OptionalField}, {@code @Nullable} and {@code Optional*} → option, enums → enum, sealed interfaces
 * whose permitted subtypes are records → variant. Anything else is refused with
 * {@link UnsupportedTypeException} naming the type and the method.
 */
final class WitWorld {

    /** WIT keywords: an identifier spelled like one is written with a leading {@code %}. */
    private static final Set<String> KEYWORDS = Set.of("as", "async", "bool", "borrow", "char", "constructor",
            "enum", "export", "f32", "f64", "flags", "from", "func", "future", "import", "include", "interface",
            "list", "option", "own", "package", "record", "resource", "result", "s16", "s32", "s64", "s8",
            "static", "stream", "string", "tuple", "type", "u16", "u32", "u64", "u8", "use", "variant", "with",
            "world", "error-context", "_");

    private static final Map<Class<?>, String> SCALARS = new HashMap<>();

    static {
        SCALARS.put(String.class, "string");
        SCALARS.put(BigDecimal.class, "string"); // exact decimal text, as the JSON codec writes it
        SCALARS.put(boolean.class, "bool");
        SCALARS.put(Boolean.class, "bool");
        SCALARS.put(byte.class, "s8");
        SCALARS.put(Byte.class, "s8");
        SCALARS.put(short.class, "s16");
        SCALARS.put(Short.class, "s16");
        SCALARS.put(int.class, "s32");
        SCALARS.put(Integer.class, "s32");
        SCALARS.put(long.class, "s64");
        SCALARS.put(Long.class, "s64");
        SCALARS.put(float.class, "f32");
        SCALARS.put(Float.class, "f32");
        SCALARS.put(double.class, "f64");
        SCALARS.put(Double.class, "f64");
        SCALARS.put(char.class, "char");
        SCALARS.put(Character.class, "char");
    }

    /** A Java type the WIT mapping does not cover. */
    static final class UnsupportedTypeException extends RuntimeException {
        UnsupportedTypeException(String message) {
            super(message);
        }
    }

    private final ExtensionContract contract;
    /** Named WIT types in definition order (dependencies first), by Java class. */
    private final Map<Class<?>, String> definitions = new LinkedHashMap<>();
    private final Map<Class<?>, String> names = new HashMap<>();
    private final Map<String, Class<?>> classesByName = new HashMap<>();
    /** Classes being defined, to refuse recursive types (WIT has none). */
    private final Set<Class<?>> inProgress = new LinkedHashSet<>();
    /** Where the type being mapped is used, for error messages. */
    private String method = "";

    private WitWorld(ExtensionContract contract) {
        this.contract = contract;
    }

    /**
     * The WIT text of the contract's world, ending with a newline.
     *
     * @throws UnsupportedTypeException when a method uses a type WIT cannot express
     */
    static String of(ExtensionContract contract) {
        return new WitWorld(contract).render();
    }

    /** The package version: the extension point's version as semver ({@code 1} → {@code 1.0.0}). */
    static String semver(String version) {
        String[] parts = version.split("\\.", -1);
        if (parts.length > 3 || !Arrays.stream(parts).allMatch(p -> p.matches("0|[1-9][0-9]*"))) {
            throw new UnsupportedTypeException("extension point version '" + version
                    + "' is not a number like 1 or 1.2; WIT package versions are semver");
        }
        StringBuilder out = new StringBuilder(version);
        for (int i = parts.length; i < 3; i++) {
            out.append(".0");
        }
        return out.toString();
    }

    private String render() {
        String id = kebab(contract.id(), "extension point id");
        List<Method> methods = Arrays.stream(contract.type().getMethods())
                .filter(m -> contract.exportOf(m) != null)
                .sorted(Comparator.comparing(contract::exportOf).thenComparing(Method::toGenericString))
                .toList();
        List<String> exports = new ArrayList<>();
        Set<String> exportNames = new LinkedHashSet<>();
        for (Method m : methods) {
            method = contract.type().getSimpleName() + "." + m.getName();
            String name = kebab(contract.exportOf(m), "export name of " + method);
            if (!exportNames.add(name)) {
                continue; // two overloads of one export: one WIT function
            }
            StringBuilder f = new StringBuilder("  export ").append(ident(name)).append(": func(");
            if (m.getParameterCount() == 1) {
                Parameter p = m.getParameters()[0];
                String param = p.isNamePresent() ? kebab(p.getName(), "parameter of " + method)
                        : kebab(p.getType().getSimpleName(), "parameter of " + method);
                f.append(ident(param)).append(": ").append(type(p.getParameterizedType(), optional(p), "its parameter"));
            }
            f.append(") -> result<");
            Class<?> result = m.getReturnType();
            f.append(result == void.class || result == Void.class ? "_"
                    : type(m.getGenericReturnType(), optional(m), "its result"));
            f.append(", string>;");
            exports.add(f.toString());
        }
        StringBuilder out = new StringBuilder();
        out.append("// The WIT world of ").append(contract.type().getName()).append(" (@ExtensionPoint id \"")
                .append(contract.id()).append("\", version \"").append(contract.version())
                .append("\"), written by `graft wit`.\n");
        out.append("package graft:").append(id).append('@').append(semver(contract.version())).append(";\n\n");
        out.append("world ").append(ident(id)).append(" {\n");
        for (String definition : definitions.values()) {
            out.append(definition).append('\n');
        }
        for (String export : exports) {
            out.append(export).append('\n');
        }
        return out.append("}\n").toString();
    }

    private static boolean optional(AnnotatedElement element) {
        if (element.isAnnotationPresent(OptionalField.class)) {
            return true;
        }
        for (Annotation a : element.getAnnotations()) {
            if (a.annotationType().getSimpleName().equals("Nullable")) {
                return true; // javax/jakarta/jspecify/JetBrains alike: only the name is a convention
            }
        }
        return false;
    }

    /** The WIT type of a Java type; {@code optional} wraps it in option. */
    private String type(Type type, boolean optional, String where) {
        String wit = type(type, where);
        return optional && !wit.startsWith("option<") ? "option<" + wit + ">" : wit;
    }

    private String type(Type type, String where) {
        if (type instanceof Class<?> c) {
            String scalar = SCALARS.get(c);
            if (scalar != null) {
                return scalar;
            }
            if (c == byte[].class) {
                return "list<u8>";
            }
            if (c.isArray()) {
                return "list<" + type(c.getComponentType(), where) + ">";
            }
            if (c == OptionalInt.class) {
                return "option<s32>";
            }
            if (c == OptionalLong.class) {
                return "option<s64>";
            }
            if (c == OptionalDouble.class) {
                return "option<f64>";
            }
            if (c.isRecord() || c.isEnum() || (c.isInterface() && c.isSealed())) {
                return define(c, where);
            }
        } else if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
            Type arg = p.getActualTypeArguments()[0];
            if (raw == List.class) {
                return "list<" + type(arg, where) + ">";
            }
            if (raw == Optional.class) {
                return "option<" + type(arg, where) + ">";
            }
        } else if (type instanceof GenericArrayType a) {
            return "list<" + type(a.getGenericComponentType(), where) + ">";
        }
        throw new UnsupportedTypeException(method + ": " + where + " has type " + type.getTypeName()
                + ", which has no WIT equivalent (supported: records, String, BigDecimal, primitives and their boxes, "
                + "List, arrays, Optional, enums, sealed interfaces of records)");
    }

    /** Defines a record, enum or variant once and returns its WIT name. */
    private String define(Class<?> c, String where) {
        String known = names.get(c);
        if (known != null) {
            if (inProgress.contains(c)) {
                throw new UnsupportedTypeException(method + ": " + c.getName() + " contains itself (" + where
                        + "); WIT has no recursive types");
            }
            return known;
        }
        String name = ident(kebab(c.getSimpleName(), "type " + c.getName()));
        Class<?> clash = classesByName.putIfAbsent(name, c);
        if (clash != null) {
            throw new UnsupportedTypeException(method + ": " + c.getName() + " and " + clash.getName()
                    + " would both be WIT type '" + name + "'; WIT names come from simple class names");
        }
        names.put(c, name);
        inProgress.add(c);
        StringBuilder d = new StringBuilder();
        if (c.isEnum()) {
            d.append("  enum ").append(name).append(" {\n");
            for (Object constant : c.getEnumConstants()) {
                d.append("    ").append(ident(kebab(((Enum<?>) constant).name(), "constant of " + c.getName()))).append(",\n");
            }
            if (c.getEnumConstants().length == 0) {
                throw new UnsupportedTypeException(method + ": enum " + c.getName() + " has no constants; a WIT enum needs one");
            }
        } else if (c.isRecord()) {
            RecordComponent[] components = c.getRecordComponents();
            if (components.length == 0) {
                throw new UnsupportedTypeException(method + ": record " + c.getName()
                        + " has no components; a WIT record needs a field");
            }
            d.append("  record ").append(name).append(" {\n");
            for (RecordComponent rc : components) {
                String field = ident(kebab(rc.getName(), "component of " + c.getName()));
                d.append("    ").append(field).append(": ")
                        .append(type(rc.getGenericType(), optional(rc), "field " + c.getSimpleName() + "." + rc.getName()))
                        .append(",\n");
            }
        } else {
            Class<?>[] permitted = c.getPermittedSubclasses();
            d.append("  variant ").append(name).append(" {\n");
            for (Class<?> sub : permitted) {
                if (!sub.isRecord()) {
                    throw new UnsupportedTypeException(method + ": sealed " + c.getName() + " permits " + sub.getName()
                            + ", which is not a record; a WIT variant's cases are records");
                }
                String caseName = ident(kebab(sub.getSimpleName(), "case of " + c.getName()));
                d.append("    ").append(caseName);
                if (sub.getRecordComponents().length > 0) {
                    d.append('(').append(define(sub, "case " + sub.getSimpleName() + " of " + c.getSimpleName())).append(')');
                }
                d.append(",\n");
            }
        }
        d.append("  }\n");
        inProgress.remove(c);
        definitions.put(c, d.toString());
        return name;
    }

    /**
     * A Java or Extism name in WIT's kebab case: {@code unitPrice} → {@code unit-price}, {@code apply_rule}
     * → {@code apply-rule}, {@code HTTPServer} → {@code http-server}, {@code SILVER_PLUS} → {@code silver-plus}.
     */
    static String kebab(String name, String what) {
        StringBuilder out = new StringBuilder();
        char[] cs = name.toCharArray();
        for (int i = 0; i < cs.length; i++) {
            char c = cs[i];
            if (c == '_' || c == '-' || c == '$') {
                if (out.length() > 0 && out.charAt(out.length() - 1) != '-') {
                    out.append('-');
                }
                continue;
            }
            if (!(c < 128 && Character.isLetterOrDigit(c))) {
                throw new UnsupportedTypeException(what + " '" + name + "' has '" + c
                        + "'; WIT identifiers are ASCII letters, digits and dashes");
            }
            boolean upper = Character.isUpperCase(c);
            if (upper && out.length() > 0 && out.charAt(out.length() - 1) != '-') {
                char prev = cs[i - 1];
                boolean nextLower = i + 1 < cs.length && Character.isLowerCase(cs[i + 1]);
                // a word starts at aB, at 1B, and at the last capital of an acronym followed by lower case (HTTPServer)
                if (Character.isLowerCase(prev) || Character.isDigit(prev) || (Character.isUpperCase(prev) && nextLower)) {
                    out.append('-');
                }
            }
            out.append(Character.toLowerCase(c));
        }
        while (out.length() > 0 && out.charAt(out.length() - 1) == '-') {
            out.setLength(out.length() - 1);
        }
        String kebab = out.toString().toLowerCase(Locale.ROOT);
        for (String word : kebab.split("-")) {
            if (word.isEmpty() || !Character.isLetter(word.charAt(0))) {
                throw new UnsupportedTypeException(what + " '" + name + "' gives WIT name '" + kebab
                        + "', whose every dash-separated word must start with a letter");
            }
        }
        return kebab;
    }

    /** An identifier as written in WIT: keywords get a leading {@code %}. */
    private static String ident(String kebab) {
        return KEYWORDS.contains(kebab) ? "%" + kebab : kebab;
    }
}
