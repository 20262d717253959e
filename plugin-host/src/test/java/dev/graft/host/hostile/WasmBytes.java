package dev.graft.host.hostile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Assembles small Wasm binaries by hand, for modules wat2wasm refuses to produce: invalid ones (the
 * metering pass must not make them valid) and ones using proposals the bundled wat2wasm does not enable
 * (multi-memory).
 */
final class WasmBytes {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    WasmBytes() {
        bytes(0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00);
    }

    /** Appends a section: its id, then its content's length and content. */
    WasmBytes section(int id, int... content) {
        out.write(id);
        leb(content.length);
        bytes(content);
        return this;
    }

    byte[] build() {
        return out.toByteArray();
    }

    private void bytes(int... values) {
        for (int v : values) {
            out.write(v);
        }
    }

    private void leb(long value) {
        do {
            int b = (int) (value & 0x7F);
            value >>>= 7;
            out.write(value != 0 ? b | 0x80 : b);
        } while (value != 0);
    }

    /** Content bytes: a name (length-prefixed UTF-8). */
    static int[] name(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        int[] r = new int[utf8.length + 1];
        r[0] = utf8.length; // names here are short
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

    /** One code-section entry: the body size, then the body (locals and instructions). */
    static int[] body(int... body) {
        return concat(new int[] {body.length}, body); // bodies here are under 128 bytes
    }

    /** An export section of one function export. */
    static int[] exportFunction(String name, int index) {
        return concat(new int[] {1}, name(name), new int[] {0x00, index});
    }
}
