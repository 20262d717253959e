package dev.graft.host.abi;

import com.dylibso.chicory.runtime.TrapException;
import dev.graft.host.policy.MemoryBudget;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The Extism kernel's memory, kept in Java: blocks the plugin allocates with {@code alloc} and
 * addresses with 64-bit offsets, laid out as Extism's kernel lays them out (a 64-byte root at address
 * 1, then blocks, each behind a 12-byte header), so that a plugin sees the same offsets it would see
 * under Extism.
 *
 * <p>The allocator is Extism's: a freed block is reused by the first (lowest) free block large enough;
 * one with 128 bytes or more to spare is split and the new block carved from its end; otherwise the
 * bump position grows. Unlike Extism's kernel it also merges a freed block with free neighbours, so
 * that alloc/free churn in any order stays within a bounded extent. The bump position never moves
 * back (as in Extism) until {@link #reset()}; the bytes up to it are what the host holds, and that
 * extent is charged to the instance's {@link MemoryBudget} (the upstream SDK's kernel charges nothing).
 *
 * <p>Block bookkeeping lives outside the data bytes (a plugin storing over a header corrupts nothing)
 * in a treap keyed by offset whose nodes also carry the largest free block below them, so that first
 * fit, lookup and merging cost O(log n) whatever the plugin does: the kernel's host calls have a fixed
 * fuel price, so none may cost time in proportion to the number of blocks.
 */
final class KernelMemory {

    /** Address of the first block header: Extism's root is 64 bytes at address 1. */
    static final long HEAP_START = 65;
    /** Size of Extism's block header on wasm32 (status, size, used). */
    static final long HEADER = 12;
    /** A free block with this many bytes to spare is split rather than handed out whole. */
    static final long SPLIT_THRESHOLD = 128;
    /** Largest extent the kernel keeps: one Java array. */
    static final long MAX_EXTENT = Integer.MAX_VALUE - 16;

    private final MemoryBudget budget;
    private byte[] bytes = new byte[256];
    /** End of the last block: where the next bumped block's header starts. */
    private long top = HEAP_START;

    // Treap nodes in parallel arrays, index 0 is "none"; every block (active or free) is one node.
    private long[] key = new long[16];
    private long[] cap = new long[16];
    private long[] used = new long[16];
    private long[] maxFree = new long[16];
    private boolean[] isFree = new boolean[16];
    private int[] left = new int[16];
    private int[] right = new int[16];
    private int[] priority = new int[16];
    private int root;
    private int nodeCount = 1;
    private int recycled;
    private int seed = 0x2545F491;

    // The refusal text of an allocation is built only when refused: these name the attempt.
    private long pendingLength;
    private String pendingWhat;
    private final Supplier<String> pendingAttempt = () -> "alloc of " + pendingLength + " bytes" + pendingWhat;

    KernelMemory(MemoryBudget budget) {
        this.budget = budget;
        maxFree[0] = -1;
    }

    /**
     * Allocates a block of {@code length} bytes (0 allowed: a block of its own with no data); throws
     * {@code PluginMemoryLimitException} when the extent would break the cap.
     *
     * @param where appended to the refusal, e.g. " in 'apply'"
     */
    long alloc(long length, String where) {
        if (length < 0) {
            throw new TrapException("extism kernel: alloc of negative length " + length);
        }
        int fit = firstFit(length);
        if (fit != 0) {
            long spare = cap[fit] - length;
            if (spare >= SPLIT_THRESHOLD) {
                // Carve the new block from the end of the free one, as Extism does.
                cap[fit] = spare - HEADER;
                touch(root, key[fit]);
                long offset = key[fit] + cap[fit] + HEADER;
                root = insert(root, newNode(offset, length, false));
                return offset;
            }
            isFree[fit] = false;
            used[fit] = length;
            touch(root, key[fit]);
            return key[fit];
        }
        long offset = top + HEADER;
        long newTop = offset + length < 0 ? Long.MAX_VALUE : offset + length;
        pendingLength = length;
        pendingWhat = where;
        // The cap first, so that a huge request is refused as over max-memory.
        budget.setKernelBytes(newTop - HEAP_START, pendingAttempt);
        if (newTop > MAX_EXTENT) {
            budget.setKernelBytes(top - HEAP_START, "alloc refused");
            throw new TrapException("extism kernel: alloc of " + length + " bytes" + where + " would take the kernel beyond 2 GiB");
        }
        ensureCapacity(newTop);
        top = newTop;
        root = insert(root, newNode(offset, length, false));
        return offset;
    }

    /** Allocates a block holding a copy of {@code data}. */
    long allocBytes(byte[] data, String where) {
        long offset = alloc(data.length, where);
        System.arraycopy(data, 0, bytes, index(offset), data.length);
        return offset;
    }

    /**
     * Frees the live block starting at {@code offset}; anything else (0, a freed block, an offset inside
     * a block) is ignored, as in Extism.
     *
     * @return whether a block was freed
     */
    boolean free(long offset) {
        int node = find(offset);
        if (node == 0 || isFree[node]) {
            return false;
        }
        isFree[node] = true;
        used[node] = 0;
        long end = offset + cap[node];
        if (end < top) {
            int next = find(end + HEADER);
            if (next != 0 && isFree[next]) {
                cap[node] += HEADER + cap[next];
                root = delete(root, key[next]);
            }
        }
        int previous = floor(offset - 1);
        if (previous != 0 && isFree[previous]) {
            cap[previous] += HEADER + cap[node];
            root = delete(root, offset);
            touch(root, key[previous]);
        } else {
            touch(root, offset);
        }
        return true;
    }

    /** Whether a live (allocated, not freed) block starts at {@code offset}. */
    boolean isBlock(long offset) {
        int node = find(offset);
        return node != 0 && !isFree[node];
    }

    /** Length of the live block starting at {@code offset}, or 0 when there is none. */
    long length(long offset) {
        int node = find(offset);
        return node == 0 || isFree[node] ? 0 : used[node];
    }

    int loadU8(long offset) {
        check(offset, 1, "load_u8");
        return bytes[index(offset)] & 0xFF;
    }

    long loadU64(long offset) {
        check(offset, 8, "load_u64");
        int i = index(offset);
        long v = 0;
        for (int k = 7; k >= 0; k--) {
            v = (v << 8) | (bytes[i + k] & 0xFFL);
        }
        return v;
    }

    void storeU8(long offset, int value) {
        check(offset, 1, "store_u8");
        bytes[index(offset)] = (byte) value;
    }

    void storeU64(long offset, long value) {
        check(offset, 8, "store_u64");
        int i = index(offset);
        for (int k = 0; k < 8; k++) {
            bytes[i + k] = (byte) (value >>> (8 * k));
        }
    }

    /** A copy of the live block at {@code offset}; traps when there is no such block. */
    byte[] readBlock(long offset, String what) {
        int node = find(offset);
        if (node == 0 || isFree[node]) {
            throw new TrapException("extism kernel: " + what + " got offset " + offset + ", which is not an allocated block");
        }
        return read(offset, used[node], what);
    }

    /**
     * A copy of at most {@code max} bytes of the live block at {@code offset}, without copying the rest;
     * traps when there is no such block.
     */
    byte[] readBlockPrefix(long offset, int max, String what) {
        int node = find(offset);
        if (node == 0 || isFree[node]) {
            throw new TrapException("extism kernel: " + what + " got offset " + offset + ", which is not an allocated block");
        }
        return read(offset, Math.min(used[node], max), what);
    }

    /** A copy of {@code length} bytes at {@code offset}; traps when out of bounds. */
    byte[] read(long offset, long length, String what) {
        check(offset, length, what);
        int i = index(offset);
        return Arrays.copyOfRange(bytes, i, i + (int) length);
    }

    /** Whether {@code length} bytes at {@code offset} lie within the blocks allocated so far. */
    boolean inBounds(long offset, long length) {
        return offset >= HEAP_START && length >= 0 && length <= top - offset;
    }

    /** The kernel's extent: bytes from the first block header to the end of the last block. */
    long usedBytes() {
        return top - HEAP_START;
    }

    /** End of the last block. */
    long top() {
        return top;
    }

    /** Forgets every block (between calls, and on the plugin's {@code reset}). */
    void reset() {
        Arrays.fill(bytes, 0, (int) (top - HEAP_START), (byte) 0);
        top = HEAP_START;
        root = 0;
        nodeCount = 1;
        recycled = 0;
        budget.setKernelBytes(0, "reset");
    }

    private void check(long offset, long length, String what) {
        if (!inBounds(offset, length)) {
            throw new TrapException("extism kernel: " + what + " out of bounds at offset " + offset + " (+" + length
                    + "); the kernel's blocks span " + HEAP_START + ".." + top);
        }
    }

    private static int index(long offset) {
        return (int) (offset - HEAP_START);
    }

    private void ensureCapacity(long newTop) {
        long needed = newTop - HEAP_START;
        if (needed > bytes.length) {
            long grown = Math.max(needed, Math.min((long) bytes.length * 2, MAX_EXTENT));
            bytes = Arrays.copyOf(bytes, (int) grown);
        }
    }

    // ---- the treap of blocks, keyed by offset, each node knowing the largest free block beneath it ----

    private int newNode(long offset, long length, boolean freeBlock) {
        int n;
        if (recycled != 0) {
            n = recycled;
            recycled = left[n];
        } else {
            if (nodeCount == key.length) {
                growNodes();
            }
            n = nodeCount++;
        }
        key[n] = offset;
        cap[n] = length;
        used[n] = freeBlock ? 0 : length;
        isFree[n] = freeBlock;
        left[n] = 0;
        right[n] = 0;
        // xorshift: deterministic, so that a call's work does not depend on chance
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        priority[n] = seed;
        pull(n);
        return n;
    }

    private void growNodes() {
        int size = key.length * 2;
        key = Arrays.copyOf(key, size);
        cap = Arrays.copyOf(cap, size);
        used = Arrays.copyOf(used, size);
        maxFree = Arrays.copyOf(maxFree, size);
        isFree = Arrays.copyOf(isFree, size);
        left = Arrays.copyOf(left, size);
        right = Arrays.copyOf(right, size);
        priority = Arrays.copyOf(priority, size);
    }

    private void pull(int t) {
        long m = isFree[t] ? cap[t] : -1;
        maxFree[t] = Math.max(m, Math.max(maxFree[left[t]], maxFree[right[t]]));
    }

    /** The lowest free block of at least {@code length} bytes, or 0. */
    private int firstFit(long length) {
        int t = root;
        if (maxFree[t] < length) {
            return 0;
        }
        while (true) {
            if (maxFree[left[t]] >= length) {
                t = left[t];
            } else if (isFree[t] && cap[t] >= length) {
                return t;
            } else {
                t = right[t];
            }
        }
    }

    private int find(long offset) {
        int t = root;
        while (t != 0 && key[t] != offset) {
            t = offset < key[t] ? left[t] : right[t];
        }
        return t;
    }

    /** The block with the largest offset not above {@code offset}, or 0. */
    private int floor(long offset) {
        int t = root;
        int best = 0;
        while (t != 0) {
            if (key[t] <= offset) {
                best = t;
                t = right[t];
            } else {
                t = left[t];
            }
        }
        return best;
    }

    /** Recomputes the free maxima on the path to {@code offset} after its node changed. */
    private void touch(int t, long offset) {
        if (t == 0) {
            return;
        }
        if (offset < key[t]) {
            touch(left[t], offset);
        } else if (offset > key[t]) {
            touch(right[t], offset);
        }
        pull(t);
    }

    private int insert(int t, int n) {
        if (t == 0) {
            return n;
        }
        if (key[n] < key[t]) {
            left[t] = insert(left[t], n);
            if (priority[left[t]] > priority[t]) {
                return rotateRight(t);
            }
        } else {
            right[t] = insert(right[t], n);
            if (priority[right[t]] > priority[t]) {
                return rotateLeft(t);
            }
        }
        pull(t);
        return t;
    }

    private int delete(int t, long offset) {
        if (t == 0) {
            return 0;
        }
        if (offset < key[t]) {
            left[t] = delete(left[t], offset);
        } else if (offset > key[t]) {
            right[t] = delete(right[t], offset);
        } else {
            int joined = join(left[t], right[t]);
            left[t] = recycled;
            recycled = t;
            return joined;
        }
        pull(t);
        return t;
    }

    /** Joins two treaps whose keys are all in order ({@code a} before {@code b}). */
    private int join(int a, int b) {
        if (a == 0) {
            return b;
        }
        if (b == 0) {
            return a;
        }
        if (priority[a] > priority[b]) {
            right[a] = join(right[a], b);
            pull(a);
            return a;
        }
        left[b] = join(a, left[b]);
        pull(b);
        return b;
    }

    private int rotateRight(int t) {
        int l = left[t];
        left[t] = right[l];
        right[l] = t;
        pull(t);
        pull(l);
        return l;
    }

    private int rotateLeft(int t) {
        int r = right[t];
        right[t] = left[r];
        left[r] = t;
        pull(t);
        pull(r);
        return r;
    }
}
