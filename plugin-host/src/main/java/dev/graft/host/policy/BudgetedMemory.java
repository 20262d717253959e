package dev.graft.host.policy;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;

/**
 * A plugin's linear memory: Chicory's byte-array memory whose size is also charged to the instance's
 * {@link MemoryBudget}, so that all linear memories, tables, ABI buffers and vars share one cap. A
 * refused growth returns -1 to the plugin, as the Wasm spec requires, rather than trapping.
 *
 * <p>It also checks the bounds of the bulk operations itself: Chicory 1.7.5 adds address and length
 * as {@code int}s, so an access such as {@code memory.fill(0x7fffff00, 0, 0x200)} wraps past its check
 * and fails on a missing page ({@code NullPointerException}) instead of trapping as out of bounds.
 */
public final class BudgetedMemory implements Memory {

    private final ByteArrayMemory delegate;
    private final MemoryBudget budget;

    public BudgetedMemory(MemoryLimits limits, MemoryBudget budget) {
        // Charged before the memory allocates its initial pages.
        budget.addLinear((long) limits.initialPages() * PAGE_SIZE,
                "a linear memory of " + limits.initialPages() + " initial pages");
        this.delegate = new ByteArrayMemory(limits);
        this.budget = budget;
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
    }

    @Override
    public void copy(int dest, int src, int size) {
        checkBounds(dest, size);
        checkBounds(src, size);
        delegate.copy(dest, src, size);
    }

    @Override
    public void initPassiveSegment(int segmentId, int dest, int offset, int size) {
        checkBounds(dest, size);
        delegate.initPassiveSegment(segmentId, dest, offset, size);
    }

    @Override
    public void write(int addr, byte[] data, int offset, int size) {
        checkBounds(addr, size);
        delegate.write(addr, data, offset, size);
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
        delegate.initialize(instance, dataSegments);
    }

    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments, int count) {
        delegate.initialize(instance, dataSegments, count);
    }

    @Override
    public byte read(int addr) {
        return delegate.read(addr);
    }

    @Override
    public void writeI32(int addr, int data) {
        delegate.writeI32(addr, data);
    }

    @Override
    public int readInt(int addr) {
        return delegate.readInt(addr);
    }

    @Override
    public void writeLong(int addr, long data) {
        delegate.writeLong(addr, data);
    }

    @Override
    public long readLong(int addr) {
        return delegate.readLong(addr);
    }

    @Override
    public void writeShort(int addr, short data) {
        delegate.writeShort(addr, data);
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
    }

    @Override
    public void writeF32(int addr, float data) {
        delegate.writeF32(addr, data);
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
    }

    @Override
    public void drop(int segment) {
        delegate.drop(segment);
    }
}
