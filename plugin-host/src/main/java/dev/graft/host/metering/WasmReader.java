package dev.graft.host.metering;

/**
 * A bounds-checked cursor over Wasm bytes. Every malformed read ends in an
 * {@link IllegalArgumentException} naming the byte offset, never in an
 * {@code ArrayIndexOutOfBoundsException}.
 */
final class WasmReader {

    final byte[] bytes;
    int pos;
    int limit;

    WasmReader(byte[] bytes, int pos, int limit) {
        this.bytes = bytes;
        this.pos = pos;
        this.limit = limit;
    }

    boolean hasMore() {
        return pos < limit;
    }

    int u8() {
        if (pos >= limit) {
            throw malformed("unexpected end of bytes");
        }
        return bytes[pos++] & 0xFF;
    }

    /** Reads an unsigned LEB128 of at most 32 bits. */
    long u32() {
        long result = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = u8();
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (result > 0xFFFF_FFFFL) {
                    throw malformed("u32 out of range");
                }
                return result;
            }
        }
        throw malformed("LEB128 too long");
    }

    /** Reads an unsigned 32-bit LEB128 used as a count or index; must fit a Java int. */
    int index() {
        long value = u32();
        if (value > Integer.MAX_VALUE) {
            throw malformed("index or count too large: " + value);
        }
        return (int) value;
    }

    /** Reads a signed LEB128 of at most {@code bits} bits and returns it (sign extended). */
    long signed(int bits) {
        long result = 0;
        int shift = 0;
        int maxBytes = (bits + 6) / 7;
        for (int i = 0; i < maxBytes; i++) {
            int b = u8();
            result |= (long) (b & 0x7F) << shift;
            shift += 7;
            if ((b & 0x80) == 0) {
                if (shift < 64 && (b & 0x40) != 0) {
                    result |= -1L << shift;
                }
                return result;
            }
        }
        throw malformed("LEB128 too long");
    }

    /** Skips a LEB128 of at most {@code bits} bits without decoding it. */
    void skipLeb(int bits) {
        int maxBytes = (bits + 6) / 7;
        for (int i = 0; i < maxBytes; i++) {
            if ((u8() & 0x80) == 0) {
                return;
            }
        }
        throw malformed("LEB128 too long");
    }

    void skip(long n) {
        if (n < 0 || n > limit - pos) {
            throw malformed("length " + n + " runs past the end");
        }
        pos += (int) n;
    }

    /** Skips a length-prefixed name and returns its start; its length is {@code pos - start}. */
    int name() {
        int length = index();
        int start = pos;
        skip(length);
        return start;
    }

    IllegalArgumentException malformed(String what) {
        return new IllegalArgumentException("malformed Wasm module at byte " + pos + ": " + what);
    }
}
