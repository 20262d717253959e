package dev.graft.host.component;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A component-model value type (what WIT calls a type), with the canonical ABI's size, alignment and
 * flattening of it. Tuples, enums, options and results are kept as written (for messages and the Java
 * mapping) and treated as records and variants where the ABI does (its "despecialization").
 */
public sealed interface WitType {

    /** The primitive types, with their alignment in memory (a string is a pointer and a length). */
    enum Primitive implements WitType {
        BOOL(1), S8(1), U8(1), S16(2), U16(2), S32(4), U32(4), S64(8), U64(8), F32(4), F64(8), CHAR(4), STRING(4);

        private final int align;

        Primitive(int align) {
            this.align = align;
        }

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** {@code list<element>}. */
    record ListType(WitType element) implements WitType {
        @Override
        public String toString() {
            return "list<" + element + ">";
        }
    }

    /** A named field of a record. */
    record Field(String name, WitType type) {
    }

    /** {@code record { fields }}. */
    record RecordType(List<Field> fields) implements WitType {
        @Override
        public String toString() {
            return "record { " + fields.stream().map(f -> f.name() + ": " + f.type()).collect(Collectors.joining(", ")) + " }";
        }
    }

    /** {@code tuple<types>}. */
    record TupleType(List<WitType> types) implements WitType {
        @Override
        public String toString() {
            return "tuple<" + types.stream().map(String::valueOf).collect(Collectors.joining(", ")) + ">";
        }
    }

    /** A case of a variant; {@code type} is {@code null} for a case without payload. */
    record Case(String name, WitType type) {
    }

    /** {@code variant { cases }}. */
    record VariantType(List<Case> cases) implements WitType {
        @Override
        public String toString() {
            return "variant { " + cases.stream().map(c -> c.type() == null ? c.name() : c.name() + "(" + c.type() + ")")
                    .collect(Collectors.joining(", ")) + " }";
        }
    }

    /** {@code enum { labels }}. */
    record EnumType(List<String> labels) implements WitType {
        @Override
        public String toString() {
            return "enum { " + String.join(", ", labels) + " }";
        }
    }

    /** {@code option<type>}. */
    record OptionType(WitType type) implements WitType {
        @Override
        public String toString() {
            return "option<" + type + ">";
        }
    }

    /** {@code result<ok, error>}; either side may be {@code null} (no payload). */
    record ResultType(WitType ok, WitType error) implements WitType {
        @Override
        public String toString() {
            return "result<" + (ok == null ? "_" : ok) + (error == null ? "" : ", " + error) + ">";
        }
    }

    /** {@code flags { labels }}, at most 32 of them. */
    record FlagsType(List<String> labels) implements WitType {
        @Override
        public String toString() {
            return "flags { " + String.join(", ", labels) + " }";
        }
    }

    /** The core value types of the flat representation. */
    enum Flat { I32, I64, F32, F64 }

    /** The variant's cases as the ABI sees them (enums, options and results are variants). */
    static List<Case> casesOf(WitType type) {
        if (type instanceof VariantType v) {
            return v.cases();
        }
        if (type instanceof EnumType e) {
            return e.labels().stream().map(l -> new Case(l, null)).toList();
        }
        if (type instanceof OptionType o) {
            return List.of(new Case("none", null), new Case("some", o.type()));
        }
        if (type instanceof ResultType r) {
            return List.of(new Case("ok", r.ok()), new Case("error", r.error()));
        }
        return null;
    }

    /** The record's field types as the ABI sees them (a tuple is a record). */
    static List<WitType> fieldTypesOf(WitType type) {
        if (type instanceof RecordType r) {
            return r.fields().stream().map(Field::type).toList();
        }
        if (type instanceof TupleType t) {
            return t.types();
        }
        return null;
    }

    /** Bytes of the discriminant of a variant with {@code cases} cases. */
    static int discriminantSize(int cases) {
        return cases <= 0x100 ? 1 : cases <= 0x10000 ? 2 : 4;
    }

    /** Alignment in linear memory. */
    static int alignment(WitType type) {
        if (type instanceof Primitive p) {
            return p.align;
        }
        if (type instanceof ListType) {
            return 4;
        }
        if (type instanceof FlagsType f) {
            return flagsSize(f.labels().size());
        }
        List<WitType> fields = fieldTypesOf(type);
        if (fields != null) {
            int a = 1;
            for (WitType t : fields) {
                a = Math.max(a, alignment(t));
            }
            return a;
        }
        List<Case> cases = casesOf(type);
        return Math.max(discriminantSize(cases.size()), maxCaseAlignment(cases));
    }

    private static int maxCaseAlignment(List<Case> cases) {
        int a = 1;
        for (Case c : cases) {
            if (c.type() != null) {
                a = Math.max(a, alignment(c.type()));
            }
        }
        return a;
    }

    private static int flagsSize(int labels) {
        return labels <= 8 ? 1 : labels <= 16 ? 2 : 4;
    }

    /** Size in linear memory (a list element's stride). */
    static int size(WitType type) {
        if (type instanceof Primitive p) {
            return p == Primitive.STRING ? 8 : p.align;
        }
        if (type instanceof ListType) {
            return 8;
        }
        if (type instanceof FlagsType f) {
            return flagsSize(f.labels().size());
        }
        List<WitType> fields = fieldTypesOf(type);
        if (fields != null) {
            int s = 0;
            for (WitType t : fields) {
                s = alignTo(s, alignment(t)) + size(t);
            }
            return alignTo(s, alignment(type));
        }
        List<Case> cases = casesOf(type);
        int s = alignTo(discriminantSize(cases.size()), maxCaseAlignment(cases));
        int payload = 0;
        for (Case c : cases) {
            if (c.type() != null) {
                payload = Math.max(payload, size(c.type()));
            }
        }
        return alignTo(s + payload, alignment(type));
    }

    /** Offset of the payload of a variant, after its discriminant. */
    static int payloadOffset(WitType variant) {
        List<Case> cases = casesOf(variant);
        return alignTo(discriminantSize(cases.size()), maxCaseAlignment(cases));
    }

    static int alignTo(int offset, int alignment) {
        return (offset + alignment - 1) / alignment * alignment;
    }

    /** The core values a value of this type flattens to. */
    static List<Flat> flatten(WitType type) {
        List<Flat> out = new ArrayList<>();
        flatten(type, out);
        return out;
    }

    private static void flatten(WitType type, List<Flat> out) {
        if (type instanceof Primitive p) {
            switch (p) {
                case S64, U64 -> out.add(Flat.I64);
                case F32 -> out.add(Flat.F32);
                case F64 -> out.add(Flat.F64);
                case STRING -> {
                    out.add(Flat.I32);
                    out.add(Flat.I32);
                }
                default -> out.add(Flat.I32);
            }
            return;
        }
        if (type instanceof ListType) {
            out.add(Flat.I32);
            out.add(Flat.I32);
            return;
        }
        if (type instanceof FlagsType) {
            out.add(Flat.I32);
            return;
        }
        List<WitType> fields = fieldTypesOf(type);
        if (fields != null) {
            for (WitType t : fields) {
                flatten(t, out);
            }
            return;
        }
        out.add(Flat.I32);
        out.addAll(variantPayloadFlat(casesOf(type)));
    }

    /** The joined flat payload of a variant's cases (without the discriminant). */
    static List<Flat> variantPayloadFlat(List<Case> cases) {
        List<Flat> joined = new ArrayList<>();
        for (Case c : cases) {
            if (c.type() == null) {
                continue;
            }
            List<Flat> flat = flatten(c.type());
            for (int i = 0; i < flat.size(); i++) {
                if (i < joined.size()) {
                    joined.set(i, join(joined.get(i), flat.get(i)));
                } else {
                    joined.add(flat.get(i));
                }
            }
        }
        return joined;
    }

    private static Flat join(Flat a, Flat b) {
        if (a == b) {
            return a;
        }
        if ((a == Flat.I32 && b == Flat.F32) || (a == Flat.F32 && b == Flat.I32)) {
            return Flat.I32;
        }
        return Flat.I64;
    }
}
