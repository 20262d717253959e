package dev.graft.host.metering;

import java.util.Arrays;

/** A growable byte array with the few Wasm encodings the metering pass writes. */
final class ByteSink {

    private byte[] buf;
    private int size;

    ByteSink(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    int size() {
        return size;
    }

    ByteSink reset() {
        size = 0;
        return this;
    }

    /** Forgets everything written after the first {@code newSize} bytes. */
    void truncate(int newSize) {
        if (newSize < 0 || newSize > size) {
            throw new IllegalArgumentException("cannot truncate " + size + " bytes to " + newSize);
        }
        size = newSize;
    }

    private void ensure(int extra) {
        if (size + extra > buf.length) {
            long wanted = Math.max((long) buf.length * 2, (long) size + extra);
            if (wanted > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("rewritten Wasm module too large");
            }
            buf = Arrays.copyOf(buf, (int) wanted);
        }
    }

    ByteSink u8(int b) {
        ensure(1);
        buf[size++] = (byte) b;
        return this;
    }

    ByteSink bytes(byte[] src, int from, int length) {
        ensure(length);
        System.arraycopy(src, from, buf, size, length);
        size += length;
        return this;
    }

    ByteSink bytes(ByteSink other) {
        return bytes(other.buf, 0, other.size);
    }

    /** Unsigned LEB128. */
    ByteSink u32(long value) {
        ensure(10);
        do {
            int b = (int) (value & 0x7F);
            value >>>= 7;
            buf[size++] = (byte) (value != 0 ? b | 0x80 : b);
        } while (value != 0);
        return this;
    }

    /** Signed LEB128 (used for i64.const immediates). */
    ByteSink s64(long value) {
        ensure(10);
        while (true) {
            int b = (int) (value & 0x7F);
            value >>= 7;
            boolean done = (value == 0 && (b & 0x40) == 0) || (value == -1 && (b & 0x40) != 0);
            buf[size++] = (byte) (done ? b : b | 0x80);
            if (done) {
                return this;
            }
        }
    }

    /** Writes a Wasm section: id, content size, content. */
    ByteSink section(int id, ByteSink content) {
        return u8(id).u32(content.size).bytes(content);
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }
}
