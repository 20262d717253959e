package dev.graft.host.hostile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Hand-made module bytes: sections, LEB128 numbers and names, for modules no assembler would write —
 * declared sizes no real module has, invalid modules (the metering pass must not make them valid), and
 * proposals the bundled wat2wasm does not enable (multi-memory, tail calls).
 */
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

    /** Appends a section whose content is given as bytes. */
    WasmBytes section(int id, int... content) {
        WasmBytes c = content();
        c.raw(content);
        return section(id, c);
    }

    /** Content bytes: a short name (length-prefixed UTF-8, under 128 bytes). */
    static int[] nameBytes(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        int[] r = new int[utf8.length + 1];
        r[0] = utf8.length;
        for (int i = 0; i < utf8.length; i++) {
            r[i + 1] = utf8[i] & 0xFF;
        }
        return r;
    }

    /** Concatenates content parts. */
    static int[] concat(int[]... parts) {
        int n = 0;
        for (int[] p : parts) {
            n += p.length;
        }
        int[] r = new int[n];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, r, at, p.length);
            at += p.length;
        }
        return r;
    }

    /** One code-section entry: the body size, then the body (bodies here are under 128 bytes). */
    static int[] body(int... body) {
        return concat(new int[] {body.length}, body);
    }

    /** An export section of one function export. */
    static int[] exportFunction(String name, int index) {
        return concat(new int[] {1}, nameBytes(name), new int[] {0x00, index});
    }
}
