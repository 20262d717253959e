package dev.graft.host.hostile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Hand-made module bytes: sections, LEB128 numbers and names, for modules no assembler would write. */
final class WasmBytes {

    static final byte[] HEADER = {0, 'a', 's', 'm', 1, 0, 0, 0};

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A module builder that starts with the magic and version. */
    static WasmBytes module() {
        WasmBytes w = new WasmBytes();
        w.raw(HEADER);
        return w;
    }

    /** An empty buffer (for section contents). */
    static WasmBytes content() {
        return new WasmBytes();
    }

    WasmBytes raw(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    WasmBytes raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    WasmBytes u32(long value) {
        do {
            int b = (int) (value & 0x7F);
            value >>>= 7;
            out.write(value != 0 ? b | 0x80 : b);
        } while (value != 0);
        return this;
    }

    WasmBytes name(String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        u32(utf8.length);
        return raw(utf8);
    }

    /** A section with its id and the exact length of {@code content}. */
    WasmBytes section(int id, WasmBytes content) {
        byte[] bytes = content.bytes();
        out.write(id);
        u32(bytes.length);
        return raw(bytes);
    }

    /** A custom section named {@code name}. */
    WasmBytes custom(String name, byte[] payload) {
        return section(0, content().name(name).raw(payload));
    }

    int size() {
        return out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** Type section with one type {@code () -> ()}. */
    static WasmBytes voidType() {
        return content().u32(1).raw(0x60, 0, 0);
    }

    /** Function section declaring {@code count} functions of type 0. */
    static WasmBytes functions(int count) {
        WasmBytes w = content().u32(count);
        for (int i = 0; i < count; i++) {
            w.raw(0);
        }
        return w;
    }
}
