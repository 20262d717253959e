package dev.graft.host.policy;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A plugin's linear memory: Chicory's byte-array memory whose size is also charged to the instance's
 * {@link MemoryBudget}, so that all linear memories, tables, ABI buffers and vars share one cap. A
 * refused growth returns -1 to the plugin, as the Wasm spec requires, rather than trapping.
 *
 * <p>For an instance that is reset between calls ({@code instances: fresh}), it records its
 * contents after instantiation and which chunks each write touches afterwards, so that a reset pays
 * for what the call changed rather than for the whole memory.
 *
 * <p>It also checks the bounds of the bulk operations itself: Chicory 1.7.5 adds address and length
 * as {@code int}s, so an access such as {@code memory.fill(0x7fffff00, 0, 0x200)} wraps past its check
 * and fails on a missing page ({@code NullPointerException}) instead of trapping as out of bounds.
 */
public final class BudgetedMemory implements Memory {

    /** Size of the chunks whose writes are tracked for a reset (a power of two). */
    static final int CHUNK_SHIFT = 12;
    static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;

    private final MemoryLimits limits;
    private ByteArrayMemory delegate; // replaced only by restore(), between calls
    private final MemoryBudget budget;
    // The instance's data segments, which data.drop empties in place, and a copy taken at instantiation.
    private DataSegment[] dataSegments;
    private DataSegment[] initialSegments;
    private int memoryIndex;

    // The state to reset to, once snapshot() ran: contents, size, and which chunks changed since.
    private byte[] snapshot;
    private int snapshotPages;
    private long[] dirty;
    // Zeroed page arrays a reset took back from a grown memory, by page number, for its next growth.
    private byte[][] spare;

    public BudgetedMemory(MemoryLimits limits, MemoryBudget budget) {
        // Charged before the memory allocates its initial pages.
        budget.addLinear((long) limits.initialPages() * PAGE_SIZE,
                "a linear memory of " + limits.initialPages() + " initial pages");
        this.limits = limits;
        this.delegate = new ByteArrayMemory(limits);
        this.budget = budget;
    }

    /**
     * Records the memory as it is now (right after instantiation) as the state {@link #restore} puts
     * back, and from now on tracks which {@value #CHUNK_SIZE}-byte chunks each write touches, so a
     * reset copies back only those. The copy is held by the host, outside the plugin's budget.
     */
    public void snapshot() {
        snapshotPages = delegate.pages();
        snapshot = delegate.readBytes(0, snapshotPages * PAGE_SIZE);
        long chunks = ((long) delegate.maximumPages() * PAGE_SIZE) >>> CHUNK_SHIFT;
        dirty = new long[(int) ((chunks + 63) >>> 6)];
    }

    /**
     * Puts the memory back as {@link #snapshot()} recorded it: the chunks written since, and its size
     * when it grew (the pages past the recorded size are dropped, as if it had never grown), and the passive
     * data segments a {@code data.drop} emptied. The caller restores the budget's accounts.
     *
     * @return the bytes copied back, or -1 when the memory cannot be reset
     */
    public long restore(Instance instance) {
        if (snapshot == null) {
            return -1;
        }
        if (dataSegments != null) {
            // Undoes data.drop: the instance and the memory read the segments from this very array.
            System.arraycopy(initialSegments, 0, dataSegments, 0, dataSegments.length);
        }
        int pages = delegate.pages();
        byte[][] arrays = pages == snapshotPages ? null : PageCount.pages(delegate, pages);
        if (pages != snapshotPages && arrays == null) {
            // Chicory's internals are out of reach: a new memory of the initial size, holding the snapshot.
            ByteArrayMemory fresh = new ByteArrayMemory(limits);
            if (fresh.pages() != snapshotPages) {
                return -1; // cannot happen: the snapshot is taken right after instantiation
            }
            // Keeps the passive data segments for memory.init; active ones are overwritten below.
            fresh.initialize(instance, dataSegments, memoryIndex);
            fresh.write(0, snapshot, 0, snapshot.length);
            delegate = fresh;
            java.util.Arrays.fill(dirty, 0L);
            return snapshot.length;
        }
        long copied = 0;
        int snapshotChunks = (int) ((long) snapshotPages * PAGE_SIZE >>> CHUNK_SHIFT);
        int chunksPerPage = PAGE_SIZE >>> CHUNK_SHIFT;
        int words = Math.min(dirty.length, (int) ((((long) pages * PAGE_SIZE >>> CHUNK_SHIFT) + 63) >>> 6));
        for (int word = 0; word < words; word++) {
            long bits = dirty[word];
            while (bits != 0) {
                int chunk = (word << 6) + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                int start = chunk << CHUNK_SHIFT;
                if (chunk < snapshotChunks) {
                    delegate.write(start, snapshot, start, CHUNK_SIZE);
                } else {
                    // A chunk of a grown page: zeroed, so that the page can serve the next growth.
                    int offset = (chunk % chunksPerPage) << CHUNK_SHIFT;
                    java.util.Arrays.fill(arrays[chunk / chunksPerPage], offset, offset + CHUNK_SIZE, (byte) 0);
                }
                copied += CHUNK_SIZE;
            }
            dirty[word] = 0;
        }
        if (arrays != null) {
            if (spare == null) {
                spare = new byte[arrays.length][];
            }
            PageCount.shrink(delegate, arrays, pages, snapshotPages, spare);
        }
        return copied;
    }

    /**
     * Takes a grown {@link ByteArrayMemory}'s pages past a smaller size back, and gives them back on
     * its next growth, which Chicory has no method for: it keeps one array per 64 KiB page and a page
     * count, and allocates a new zeroed array per page when it grows. With the arrays past the size
     * removed and the count lowered, it is exactly as if it had never grown; the removed arrays,
     * zeroed where the call wrote, serve the next growth instead of new ones (a Rust plugin grows its
     * memory on every call that starts from the initial state). Reached through private fields; when
     * they are out of reach (another Chicory version, Chicory on the module path) {@link #pages}
     * returns {@code null} and the caller replaces the memory instead.
     */
    private static final class PageCount {
        private static final VarHandle PAGE_COUNT;
        private static final VarHandle PAGES;

        static {
            VarHandle count = null;
            VarHandle pages = null;
            try {
                MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(ByteArrayMemory.class, MethodHandles.lookup());
                count = lookup.findVarHandle(ByteArrayMemory.class, "nPages", int.class);
                pages = lookup.findVarHandle(ByteArrayMemory.class, "pages", byte[][].class);
            } catch (ReflectiveOperationException | RuntimeException e) {
                count = null;
                pages = null;
            }
            PAGE_COUNT = count;
            PAGES = pages;
        }

        /** The memory's page arrays, or {@code null} when out of reach or not as expected. */
        static byte[][] pages(ByteArrayMemory memory, int pages) {
            if (PAGE_COUNT == null || memory.shared() || (int) PAGE_COUNT.getVolatile(memory) != pages) {
                return null;
            }
            byte[][] arrays = (byte[][]) PAGES.get(memory);
            for (int i = 0; i < pages; i++) {
                if (arrays[i] == null || arrays[i].length != PAGE_SIZE) {
                    return null;
                }
            }
            return arrays;
        }

        /** Lowers the size to {@code toPages}, moving the (already zeroed) arrays past it to {@code spare}. */
        static void shrink(ByteArrayMemory memory, byte[][] arrays, int pages, int toPages, byte[][] spare) {
            PAGE_COUNT.setVolatile(memory, toPages);
            for (int i = toPages; i < pages; i++) {
                spare[i] = arrays[i];
                arrays[i] = null; // reads past the size find no page and trap, as before the growth
            }
        }

        /** Grows to {@code toPages} with spare arrays when there is one for every new page. */
        static boolean regrow(ByteArrayMemory memory, int pages, int toPages, byte[][] spare) {
            if (toPages > spare.length || (int) PAGE_COUNT.getVolatile(memory) != pages) {
                return false;
            }
            for (int i = pages; i < toPages; i++) {
                if (spare[i] == null) {
                    return false;
                }
            }
            byte[][] arrays = (byte[][]) PAGES.get(memory);
            for (int i = pages; i < toPages; i++) {
                arrays[i] = spare[i];
                spare[i] = null;
            }
            PAGE_COUNT.setVolatile(memory, toPages);
            return true;
        }
    }

    /** Marks the chunks of {@code [address, address + length)}; called after the write succeeded. */
    private void touched(int address, int length) {
        if (dirty == null || length <= 0) {
            return;
        }
        int first = address >>> CHUNK_SHIFT;
        int last = (int) ((Integer.toUnsignedLong(address) + length - 1) >>> CHUNK_SHIFT);
        for (int chunk = first; chunk <= last; chunk++) {
            dirty[chunk >>> 6] |= 1L << chunk;
        }
    }

    /** Marks the one or two chunks a small write of {@code length} bytes at {@code address} touched. */
    private void touchedSmall(int address, int length) {
        if (dirty != null) {
            int first = address >>> CHUNK_SHIFT;
            dirty[first >>> 6] |= 1L << first;
            int last = (address + length - 1) >>> CHUNK_SHIFT;
            dirty[last >>> 6] |= 1L << last;
        }
    }

    @Override
    public int grow(int size) {
        if (size < 0) {
            return -1;
        }
        long addedBytes = (long) size * PAGE_SIZE;
        if (size > 0) {
            if (delegate.pages() + (long) size > delegate.maximumPages()) {
                // The maximum is min(declared, cap): remember the refusal when the cap caused it.
                budget.noteRefusedGrowth(addedBytes);
                return -1;
            }
            if (!budget.tryGrowLinear(addedBytes)) {
                return -1;
            }
            if (spare != null) {
                int previous = delegate.pages();
                if (PageCount.regrow(delegate, previous, previous + size, spare)) {
                    return previous;
                }
            }
        }
        return delegate.grow(size);
    }

    /**
     * Traps unless {@code [address, address + length)}, read as unsigned 32-bit values as Wasm does,
     * lies inside the memory. Computed in {@code long}, so the sum cannot wrap.
     */
    private void checkBounds(int address, int length) {
        long end = Integer.toUnsignedLong(address) + Integer.toUnsignedLong(length);
        long size = (long) delegate.pages() * PAGE_SIZE;
        if (end > size) {
            throw new WasmRuntimeException("out of bounds memory access: address " + Integer.toUnsignedString(address)
                    + " + length " + Integer.toUnsignedString(length) + " exceeds the memory size " + size);
        }
    }

    @Override
    public void fill(byte value, int fromIndex, int toIndex) {
        // Chicory passes toIndex = fromIndex + length, wrapped; the difference is the length again.
        checkBounds(fromIndex, toIndex - fromIndex);
        delegate.fill(value, fromIndex, toIndex);
        touched(fromIndex, toIndex - fromIndex);
    }

    @Override
    public void copy(int dest, int src, int size) {
        checkBounds(dest, size);
        checkBounds(src, size);
        delegate.copy(dest, src, size);
        touched(dest, size);
    }

    @Override
    public void initPassiveSegment(int segmentId, int dest, int offset, int size) {
        checkBounds(dest, size);
        delegate.initPassiveSegment(segmentId, dest, offset, size);
        touched(dest, size);
    }

    @Override
    public void write(int addr, byte[] data, int offset, int size) {
        checkBounds(addr, size);
        delegate.write(addr, data, offset, size);
        touched(addr, size);
    }

    @Override
    public byte[] readBytes(int addr, int len) {
        checkBounds(addr, len);
        return delegate.readBytes(addr, len);
    }

    // Everything below delegates unchanged.

    @Override
    public Object lock(int address) {
        return delegate.lock(address);
    }

    @Override
    public int waitOn(int address, int expected, long timeout) {
        return delegate.waitOn(address, expected, timeout);
    }

    @Override
    public int waitOn(int address, long expected, long timeout) {
        return delegate.waitOn(address, expected, timeout);
    }

    @Override
    public int notify(int address, int maxThreads) {
        return delegate.notify(address, maxThreads);
    }

    @Override
    public int pages() {
        return delegate.pages();
    }

    @Override
    public int initialPages() {
        return delegate.initialPages();
    }

    @Override
    public int maximumPages() {
        return delegate.maximumPages();
    }

    @Override
    public boolean shared() {
        return delegate.shared();
    }

    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments) {
        initialize(instance, dataSegments, 0);
    }

    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments, int memoryIndex) {
        // Chicory hands every memory the instance's own array, which data.drop empties in place.
        this.dataSegments = dataSegments;
        this.initialSegments = dataSegments == null ? null : dataSegments.clone();
        this.memoryIndex = memoryIndex;
        delegate.initialize(instance, dataSegments, memoryIndex);
    }

    @Override
    public byte read(int addr) {
        return delegate.read(addr);
    }

    @Override
    public void writeI32(int addr, int data) {
        delegate.writeI32(addr, data);
        touchedSmall(addr, 4);
    }

    @Override
    public int readInt(int addr) {
        return delegate.readInt(addr);
    }

    @Override
    public void writeLong(int addr, long data) {
        delegate.writeLong(addr, data);
        touchedSmall(addr, 8);
    }

    @Override
    public long readLong(int addr) {
        return delegate.readLong(addr);
    }

    @Override
    public void writeShort(int addr, short data) {
        delegate.writeShort(addr, data);
        touchedSmall(addr, 2);
    }

    @Override
    public short readShort(int addr) {
        return delegate.readShort(addr);
    }

    @Override
    public long readU16(int addr) {
        return delegate.readU16(addr);
    }

    @Override
    public void writeByte(int addr, byte data) {
        delegate.writeByte(addr, data);
        touchedSmall(addr, 1);
    }

    @Override
    public void writeF32(int addr, float data) {
        delegate.writeF32(addr, data);
        touchedSmall(addr, 4);
    }

    @Override
    public long readF32(int addr) {
        return delegate.readF32(addr);
    }

    @Override
    public float readFloat(int addr) {
        return delegate.readFloat(addr);
    }

    @Override
    public void writeF64(int addr, double data) {
        delegate.writeF64(addr, data);
        touchedSmall(addr, 8);
    }

    @Override
    public double readDouble(int addr) {
        return delegate.readDouble(addr);
    }

    @Override
    public long readF64(int addr) {
        return delegate.readF64(addr);
    }

    @Override
    public void zero() {
        delegate.zero();
        touched(0, delegate.pages() * PAGE_SIZE);
    }

    @Override
    public void drop(int segment) {
        delegate.drop(segment);
    }
}
