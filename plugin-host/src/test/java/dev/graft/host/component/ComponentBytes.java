package dev.graft.host.component;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A tiny writer of component binaries for tests: sections in the order they are added, each holding
 * one definition, so tests can build exactly the component they need (and malformed or unsupported ones
 * no toolchain would write). Index spaces are the test's to count.
 */
final class ComponentBytes {

    static final byte[] PREAMBLE = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};

    // Primitive value type opcodes.
    static final int BOOL = 0x7f, S8 = 0x7e, U8 = 0x7d, S16 = 0x7c, U16 = 0x7b, S32 = 0x7a, U32 = 0x79, S64 = 0x78,
            U64 = 0x77, F32 = 0x76, F64 = 0x75, CHAR = 0x74, STRING = 0x73;
    // Core sorts.
    static final int FUNC = 0x00, TABLE = 0x01, MEMORY = 0x02, GLOBAL = 0x03;

    private final Buf out = new Buf();

    ComponentBytes() {
        out.raw(PREAMBLE);
    }

    static ComponentBytes component() {
        return new ComponentBytes();
    }

    ComponentBytes section(int id, Buf content) {
        out.raw(id).u32(content.size()).raw(content.bytes());
        return this;
    }

    ComponentBytes coreModule(byte[] wasm) {
        return section(1, new Buf().raw(wasm));
    }

    /** A core instance instantiating {@code module} with (name, core instance index) pairs. */
    ComponentBytes instantiate(int module, Object... nameInstancePairs) {
        Buf b = new Buf().u32(1).raw(0x00).u32(module).u32(nameInstancePairs.length / 2);
        for (int i = 0; i < nameInstancePairs.length; i += 2) {
            b.name((String) nameInstancePairs[i]).raw(0x12).u32((Integer) nameInstancePairs[i + 1]);
        }
        return section(2, b);
    }

    /** A core instance made of exports: (name, core sort, index) triples. */
    ComponentBytes instanceOfExports(Object... triples) {
        Buf b = new Buf().u32(1).raw(0x01).u32(triples.length / 3);
        for (int i = 0; i < triples.length; i += 3) {
            b.name((String) triples[i]).raw((Integer) triples[i + 1]).u32((Integer) triples[i + 2]);
        }
        return section(2, b);
    }

    /** An alias of export {@code name} of core instance {@code instance}, as a core {@code sort}. */
    ComponentBytes aliasCore(int sort, int instance, String name) {
        return section(6, new Buf().u32(1).raw(0x00, sort).raw(0x01).u32(instance).name(name));
    }

    /** A type definition (its bytes as {@link #record} and friends make them). */
    ComponentBytes type(Buf def) {
        return section(7, new Buf().u32(1).raw(def.bytes()));
    }

    /** {@code canon lift} of core function {@code coreFunc} with type {@code type} and the given options. */
    ComponentBytes lift(int coreFunc, int type, Buf options) {
        Buf b = new Buf().u32(1).raw(0x00, 0x00).u32(coreFunc).raw(options.bytes()).u32(type);
        return section(8, b);
    }

    /** Imports a component function {@code name} of function type {@code type} (which adds a function index). */
    ComponentBytes importFunc(String name, int type) {
        return section(10, new Buf().u32(1).raw(0x00).name(name).raw(0x01).u32(type));
    }

    /** {@code canon lower} of component function {@code func} with the given options (adds a core function index). */
    ComponentBytes lower(int func, Buf options) {
        return section(8, new Buf().u32(1).raw(0x01, 0x00).u32(func).raw(options.bytes()));
    }

    /** Exports component function {@code func} as {@code name}. */
    ComponentBytes exportFunc(String name, int func) {
        return section(11, new Buf().u32(1).raw(0x00).name(name).raw(0x01).u32(func).raw(0x00));
    }

    /** Exports type {@code type} as {@code name} (which adds a type index). */
    ComponentBytes exportType(String name, int type) {
        return section(11, new Buf().u32(1).raw(0x00).name(name).raw(0x03).u32(type).raw(0x00));
    }

    byte[] bytes() {
        return out.bytes();
    }

    // ---- Options and types ----

    /** Canonical options: UTF-8, and memory / realloc / post-return when not negative. */
    static Buf options(int memory, int realloc, int postReturn) {
        Buf items = new Buf();
        int n = 1;
        items.raw(0x00);
        if (memory >= 0) {
            items.raw(0x03).u32(memory);
            n++;
        }
        if (realloc >= 0) {
            items.raw(0x04).u32(realloc);
            n++;
        }
        if (postReturn >= 0) {
            items.raw(0x05).u32(postReturn);
            n++;
        }
        return new Buf().u32(n).raw(items.bytes());
    }

    static Buf func(Object[] namedParams, Integer result) {
        Buf b = new Buf().raw(0x40).u32(namedParams.length / 2);
        for (int i = 0; i < namedParams.length; i += 2) {
            b.name((String) namedParams[i]).raw(valBytes((Integer) namedParams[i + 1]));
        }
        if (result == null) {
            b.raw(0x01, 0x00);
        } else {
            b.raw(0x00).raw(valBytes(result));
        }
        return b;
    }

    /** A value type: an opcode when {@code v} is one of the primitive opcodes, else the s33 index. */
    static byte[] valBytes(int v) {
        if (v >= 0x73 && v <= 0x7f) {
            return new byte[] {(byte) v};
        }
        Buf b = new Buf();
        // Non-negative s33: the LEB128 of the index, with a zero byte when bit 6 of the last group is set.
        long value = v;
        while (true) {
            int group = (int) (value & 0x7f);
            value >>= 7;
            boolean done = value == 0 && (group & 0x40) == 0;
            b.raw(done ? group : group | 0x80);
            if (done) {
                break;
            }
        }
        return b.bytes();
    }

    static Buf record(Object... namedTypes) {
        Buf b = new Buf().raw(0x72).u32(namedTypes.length / 2);
        for (int i = 0; i < namedTypes.length; i += 2) {
            b.name((String) namedTypes[i]).raw(valBytes((Integer) namedTypes[i + 1]));
        }
        return b;
    }

    /** Cases as (name, type or null) pairs. */
    static Buf variant(Object... cases) {
        Buf b = new Buf().raw(0x71).u32(cases.length / 2);
        for (int i = 0; i < cases.length; i += 2) {
            b.name((String) cases[i]);
            if (cases[i + 1] == null) {
                b.raw(0x00);
            } else {
                b.raw(0x01).raw(valBytes((Integer) cases[i + 1]));
            }
            b.raw(0x00);
        }
        return b;
    }

    static Buf list(int element) {
        return new Buf().raw(0x70).raw(valBytes(element));
    }

    static Buf tuple(int... types) {
        Buf b = new Buf().raw(0x6f).u32(types.length);
        for (int t : types) {
            b.raw(valBytes(t));
        }
        return b;
    }

    static Buf flags(String... labels) {
        Buf b = new Buf().raw(0x6e).u32(labels.length);
        for (String l : labels) {
            b.name(l);
        }
        return b;
    }

    static Buf enumType(String... labels) {
        Buf b = new Buf().raw(0x6d).u32(labels.length);
        for (String l : labels) {
            b.name(l);
        }
        return b;
    }

    static Buf option(int type) {
        return new Buf().raw(0x6b).raw(valBytes(type));
    }

    /** {@code result<ok, error>}; null for a side without payload. */
    static Buf result(Integer ok, Integer error) {
        Buf b = new Buf().raw(0x6a);
        if (ok == null) {
            b.raw(0x00);
        } else {
            b.raw(0x01).raw(valBytes(ok));
        }
        if (error == null) {
            b.raw(0x00);
        } else {
            b.raw(0x01).raw(valBytes(error));
        }
        return b;
    }

    /** A growable byte buffer with LEB128 and name writers. */
    static final class Buf {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Buf raw(int... values) {
            for (int v : values) {
                bytes.write(v);
            }
            return this;
        }

        Buf raw(byte[] values) {
            bytes.writeBytes(values);
            return this;
        }

        Buf u32(long value) {
            do {
                int b = (int) (value & 0x7f);
                value >>>= 7;
                bytes.write(value != 0 ? b | 0x80 : b);
            } while (value != 0);
            return this;
        }

        Buf name(String name) {
            byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
            u32(utf8.length);
            return raw(utf8);
        }

        int size() {
            return bytes.size();
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }
}
