package dev.graft.host.policy;

import dev.graft.api.PluginMemoryLimitException;

/**
 * One instance's account of every byte the plugin can make the host hold: all its linear memories
 * (multi-memory: their sum), every entry of every table (at {@link #TABLE_ENTRY_BYTES} each), the
 * ABI's kernel buffers and vars, against the single {@code max-memory} cap of its policy. Used by one
 * thread at a time, like the instance it belongs to.
 */
public final class MemoryBudget {

    /** Knob name used in refusals. */
    public static final String MAX_MEMORY = "max-memory";

    /**
     * What one table entry costs the account. Chicory's {@code TableInstance} holds two parallel arrays
     * per table, an {@code int} (4 bytes) and an object reference per slot; the reference is counted at
     * 8 bytes, its size without compressed oops (heaps of 32 GiB and more), so the figure never
     * undercounts. Arrays' fixed headers and the transient copy while a table grows are not counted.
     */
    public static final long TABLE_ENTRY_BYTES = 12;

    private final String pluginId;
    private final long limitBytes;
    private long linearBytes;
    private long tableBytes;
    private long kernelBytes;
    private long varBytes;
    private long highWaterBytes;
    private long refusedGrowBytes = -1;

    public MemoryBudget(String pluginId, long limitBytes) {
        this.pluginId = pluginId;
        this.limitBytes = limitBytes;
    }

    public long limitBytes() {
        return limitBytes;
    }

    /** Sum of all accounts now. */
    public long usedBytes() {
        return linearBytes + tableBytes + kernelBytes + varBytes;
    }

    /** The largest {@link #usedBytes()} seen since the last {@link #resetHighWater()}. */
    public long highWaterBytes() {
        return highWaterBytes;
    }

    /** Starts a new high-water measurement (at the start of a call) and forgets refused growth. */
    public void resetHighWater() {
        highWaterBytes = usedBytes();
        refusedGrowBytes = -1;
    }

    /**
     * One of the linear memories wants to grow by {@code addedBytes}. Returns false (and remembers it)
     * when that breaks the cap; the Wasm {@code memory.grow} then returns -1 inside the plugin.
     */
    public boolean tryGrowLinear(long addedBytes) {
        long total = usedBytes() + addedBytes;
        if (total > limitBytes) {
            refusedGrowBytes = total;
            return false;
        }
        linearBytes += addedBytes;
        track();
        return true;
    }

    /** Remembers a growth by {@code addedBytes} refused elsewhere (a maximum) if it would also break the cap. */
    public void noteRefusedGrowth(long addedBytes) {
        long total = usedBytes() + addedBytes;
        if (total > limitBytes) {
            refusedGrowBytes = total;
        }
    }

    /**
     * Charges a new linear memory's initial size (each memory of a multi-memory module in turn).
     *
     * @throws PluginMemoryLimitException when the memories together break the cap
     */
    public void addLinear(long bytes, String attempted) {
        long total = usedBytes() + bytes;
        if (total > limitBytes) {
            throw new PluginMemoryLimitException(pluginId, MAX_MEMORY, limitBytes, total, attempted);
        }
        linearBytes += bytes;
        track();
    }

    /**
     * Charges a new table's initial entries, before the table allocates them.
     *
     * @throws PluginMemoryLimitException when that breaks the cap
     */
    public void addTableEntries(long entries, String attempted) {
        long total = usedBytes() + entries * TABLE_ENTRY_BYTES;
        if (total > limitBytes) {
            throw new PluginMemoryLimitException(pluginId, MAX_MEMORY, limitBytes, total, attempted);
        }
        tableBytes += entries * TABLE_ENTRY_BYTES;
        track();
    }

    /**
     * A table wants {@code addedEntries} more entries. Returns false (and remembers it) when that breaks
     * the cap; the Wasm {@code table.grow} then returns -1 inside the plugin.
     */
    public boolean tryGrowTable(long addedEntries) {
        long total = usedBytes() + addedEntries * TABLE_ENTRY_BYTES;
        if (total > limitBytes) {
            refusedGrowBytes = total;
            return false;
        }
        tableBytes += addedEntries * TABLE_ENTRY_BYTES;
        track();
        return true;
    }

    /** A refused memory or table growth in this call, as the total it would have reached, or -1. */
    public long refusedGrowBytes() {
        return refusedGrowBytes;
    }

    /** The kernel's buffers want to total {@code newKernelBytes}; throws when that breaks the cap. */
    public void setKernelBytes(long newKernelBytes, String attempted) {
        setKernelBytes(newKernelBytes, () -> attempted);
    }

    /**
     * As {@link #setKernelBytes(long, String)}, describing the attempt only when it is refused (an
     * allocation is a hot path).
     */
    public void setKernelBytes(long newKernelBytes, java.util.function.Supplier<String> attempted) {
        long total = linearBytes + tableBytes + newKernelBytes + varBytes;
        if (newKernelBytes > kernelBytes && total > limitBytes) {
            throw new PluginMemoryLimitException(pluginId, MAX_MEMORY, limitBytes, total, attempted.get());
        }
        kernelBytes = newKernelBytes;
        track();
    }

    /** The vars want to total {@code newVarBytes}; throws when that breaks the cap. */
    public void setVarBytes(long newVarBytes, String attempted) {
        long total = linearBytes + tableBytes + kernelBytes + newVarBytes;
        if (newVarBytes > varBytes && total > limitBytes) {
            throw new PluginMemoryLimitException(pluginId, MAX_MEMORY, limitBytes, total, attempted);
        }
        varBytes = newVarBytes;
        track();
    }

    /** The accounts at one moment, for {@link #restore(Accounts)}. */
    public record Accounts(long linearBytes, long tableBytes, long kernelBytes, long varBytes) {
    }

    /** The accounts now (an instance's reusable state right after instantiation). */
    public Accounts accounts() {
        return new Accounts(linearBytes, tableBytes, kernelBytes, varBytes);
    }

    /** Puts the accounts back as {@link #accounts()} recorded them, when the instance is reset to that state. */
    public void restore(Accounts accounts) {
        linearBytes = accounts.linearBytes();
        tableBytes = accounts.tableBytes();
        kernelBytes = accounts.kernelBytes();
        varBytes = accounts.varBytes();
        highWaterBytes = usedBytes();
        refusedGrowBytes = -1;
    }

    private void track() {
        long used = usedBytes();
        if (used > highWaterBytes) {
            highWaterBytes = used;
        }
    }
}
