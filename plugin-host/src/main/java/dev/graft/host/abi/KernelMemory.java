package dev.graft.host.abi;

import com.dylibso.chicory.runtime.TrapException;
import dev.graft.host.policy.MemoryBudget;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The Extism kernel's memory, kept in Java: blocks the plugin allocates with {@code alloc} and
 * addresses with 64-bit offsets. A bump allocator over one growable array; every byte it holds is
 * charged to the instance's {@link MemoryBudget}, which the upstream SDK's kernel does not do.
 * Offset 0 is never a block, so it can mean "none" as the ABI requires.
 */
final class KernelMemory {

    private static final int BASE = 8;

    private final MemoryBudget budget;
    private byte[] bytes = new byte[256];
    private long top = BASE;
    private final Map<Long, Long> blocks = new HashMap<>();

    KernelMemory(MemoryBudget budget) {
        this.budget = budget;
    }

    /** Allocates a zeroed block; throws {@code PluginMemoryLimitException} when over the cap. */
    long alloc(long length, Supplier<String> attempted) {
        if (length < 0) {
            throw new TrapException("extism kernel: alloc of negative length " + length);
        }
        long offset = top;
        // An empty block still takes a byte, so that every block has an offset of its own.
        long newTop = top + Math.max(length, 1);
        budget.setKernelBytes(newTop - BASE, attempted);
        ensureCapacity(newTop);
        top = newTop;
        blocks.put(offset, length);
        return offset;
    }

    /** Allocates a block holding a copy of {@code data}. */
    long allocBytes(byte[] data, String attempted) {
        long offset = alloc(data.length, () -> attempted);
        System.arraycopy(data, 0, bytes, (int) offset, data.length);
        return offset;
    }

    void free(long offset) {
        Long length = blocks.remove(offset);
        if (length != null && offset + Math.max(length, 1) == top) {
            // Only the newest block can give its bytes back to a bump allocator.
            top = offset;
            Arrays.fill(bytes, (int) offset, (int) (offset + length), (byte) 0);
            budget.setKernelBytes(top - BASE, "free");
        }
    }

    /** Length of the block starting at {@code offset}, or 0 when there is none. */
    long length(long offset) {
        Long length = blocks.get(offset);
        return length == null ? 0 : length;
    }

    int loadU8(long offset) {
        check(offset, 1, "load_u8");
        return bytes[(int) offset] & 0xFF;
    }

    long loadU64(long offset) {
        check(offset, 8, "load_u64");
        int i = (int) offset;
        long v = 0;
        for (int k = 7; k >= 0; k--) {
            v = (v << 8) | (bytes[i + k] & 0xFFL);
        }
        return v;
    }

    void storeU8(long offset, int value) {
        check(offset, 1, "store_u8");
        bytes[(int) offset] = (byte) value;
    }

    void storeU64(long offset, long value) {
        check(offset, 8, "store_u64");
        int i = (int) offset;
        for (int k = 0; k < 8; k++) {
            bytes[i + k] = (byte) (value >>> (8 * k));
        }
    }

    /** A copy of the block at {@code offset}; traps when there is no such block. */
    byte[] readBlock(long offset, String what) {
        Long length = blocks.get(offset);
        if (length == null) {
            throw new TrapException("extism kernel: " + what + " got offset " + offset + ", which is not an allocated block");
        }
        return read(offset, length, what);
    }

    /** A copy of {@code length} bytes at {@code offset}; traps when out of bounds. */
    byte[] read(long offset, long length, String what) {
        check(offset, length, what);
        return Arrays.copyOfRange(bytes, (int) offset, (int) (offset + length));
    }

    /** Bytes the kernel holds now. */
    long usedBytes() {
        return top - BASE;
    }

    /** Forgets every block (between calls of a pooled instance). */
    void reset() {
        Arrays.fill(bytes, 0, (int) top, (byte) 0);
        top = BASE;
        blocks.clear();
        budget.setKernelBytes(0, "reset");
    }

    private void check(long offset, long length, String what) {
        if (offset < BASE || length < 0 || offset + length > top) {
            throw new TrapException("extism kernel: " + what + " out of bounds at offset " + offset + " (+" + length + ")");
        }
    }

    private void ensureCapacity(long needed) {
        if (needed > Integer.MAX_VALUE - 16) {
            throw new TrapException("extism kernel: allocation beyond 2 GiB");
        }
        if (needed > bytes.length) {
            long grown = Math.max(needed, Math.min((long) bytes.length * 2, Integer.MAX_VALUE - 16));
            bytes = Arrays.copyOf(bytes, (int) grown);
        }
    }
}
