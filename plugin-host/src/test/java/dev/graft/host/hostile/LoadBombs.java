package dev.graft.host.hostile;

import static dev.graft.host.hostile.WasmBytes.content;
import static dev.graft.host.hostile.WasmBytes.functions;
import static dev.graft.host.hostile.WasmBytes.module;
import static dev.graft.host.hostile.WasmBytes.voidType;

/** Modules of a few bytes that declare huge sizes, and other load-time bombs. */
final class LoadBombs {

    private LoadBombs() {
    }

    /** One function whose locals come in {@code entries} entries of {@code perEntry} i32 each. */
    static byte[] localsPerFunction(int entries, int perEntry) {
        WasmBytes body = content().u32(entries);
        for (int i = 0; i < entries; i++) {
            body.u32(perEntry).raw(0x7F);
        }
        body.raw(0x0B);
        byte[] b = body.bytes();
        return module().section(1, voidType()).section(3, functions(1))
                .section(10, content().u32(1).u32(b.length).raw(b)).bytes();
    }

    /** {@code functions} functions, each with {@code perFunction} i32 locals in one entry. */
    static byte[] localsTotal(int count, int perFunction) {
        WasmBytes body = content().u32(1).u32(perFunction).raw(0x7F).raw(0x0B);
        byte[] b = body.bytes();
        WasmBytes code = content().u32(count);
        for (int i = 0; i < count; i++) {
            code.u32(b.length).raw(b);
        }
        return module().section(1, voidType()).section(3, functions(count)).section(10, code).bytes();
    }

    /** A memory and one active data segment that claims {@code length} bytes; the file ends after the claim. */
    static byte[] dataClaim(long length) {
        WasmBytes data = content().u32(1).raw(0).raw(0x41, 0, 0x0B).u32(length).raw(1, 2, 3, 4);
        return module().section(5, content().u32(1).raw(0, 1)).section(11, data).bytes();
    }

    /** {@code count} functions and a name section naming them in descending index order. */
    static byte[] descendingNames(int count) {
        WasmBytes names = content().u32(count);
        for (int i = count - 1; i >= 0; i--) {
            names.u32(i).name("f" + i);
        }
        byte[] sub = names.bytes();
        WasmBytes payload = content().raw(1).u32(sub.length).raw(sub);
        WasmBytes code = content().u32(1).u32(2).raw(0, 0x0B);
        return module().section(1, voidType()).section(3, functions(1)).section(10, code)
                .custom("name", payload.bytes()).bytes();
    }

    /** {@code count} empty functions. */
    static byte[] manyFunctions(int count) {
        WasmBytes code = content().u32(count);
        for (int i = 0; i < count; i++) {
            code.u32(2).raw(0, 0x0B);
        }
        return module().section(1, voidType()).section(3, functions(count)).section(10, code).bytes();
    }

    /** A type with 2^31 - 1 parameters, declared in a 10-byte section. */
    static byte[] hugeParamCount() {
        return module().section(1, content().u32(1).raw(0x60).u32(0x7FFF_FFFFL).raw(0x7F, 0)).bytes();
    }

    /** A table and one element segment claiming 2^31 - 1 function indices. */
    static byte[] hugeElementCount() {
        return module().section(1, voidType()).section(3, functions(1))
                .section(4, content().u32(1).raw(0x70, 0).u32(1))
                .section(9, content().u32(1).raw(0).raw(0x41, 0, 0x0B).u32(0x7FFF_FFFFL).raw(0))
                .section(10, content().u32(1).u32(2).raw(0, 0x0B)).bytes();
    }

    /** A huge global count, import count, export count or table size: one header each. */
    static byte[] hugeCount(int section) {
        WasmBytes m = module();
        switch (section) {
            case 1 -> m.section(1, content().u32(0xFFFF_FFFFL).raw(0x60, 0, 0));
            case 2 -> m.section(2, content().u32(0xFFFF_FFFFL).name("env").name("f").raw(0, 0));
            case 4 -> m.section(4, content().u32(1).raw(0x70, 0).u32(0x7FFF_FFFFL));
            case 6 -> m.section(6, content().u32(0xFFFF_FFFFL).raw(0x7F, 0, 0x41, 0, 0x0B));
            case 7 -> m.section(7, content().u32(0xFFFF_FFFFL).name("x").raw(0, 0));
            default -> throw new IllegalArgumentException("section " + section);
        }
        return m.bytes();
    }

    /**
     * {@code count} functions, each a straight run of {@code i32.load}s of about 60 KB of Wasm: just
     * over the JVM's 64 KB method limit once compiled, so each one makes Chicory start over.
     */
    static byte[] compileBomb(int count) {
        WasmBytes body = content().u32(0);
        for (int i = 0; i < 10_000; i++) {
            body.raw(0x41, 0, 0x28, 2, 0, 0x1A);
        }
        body.raw(0x0B);
        byte[] b = body.bytes();
        WasmBytes code = content().u32(count);
        for (int i = 0; i < count; i++) {
            code.u32(b.length).raw(b);
        }
        return module().section(1, voidType()).section(3, functions(count))
                .section(5, content().u32(1).raw(0, 1)).section(10, code).bytes();
    }
}
