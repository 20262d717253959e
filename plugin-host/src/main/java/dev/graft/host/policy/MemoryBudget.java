package dev.graft.host.policy;

import dev.graft.api.PluginMemoryLimitException;

/**
 * One instance's account of every byte the plugin can make the host hold: linear memory, the ABI's
 * kernel buffers and vars, against the single {@code max-memory} cap of its policy. Used by one thread
 * at a time, like the instance it belongs to.
 */
public final class MemoryBudget {

    /** Knob name used in refusals. */
    public static final String MAX_MEMORY = "max-memory";

    private final String pluginId;
    private final long limitBytes;
    private long linearBytes;
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
        return linearBytes + kernelBytes + varBytes;
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
     * Linear memory wants to grow to {@code newLinearBytes}. Returns false (and remembers it) when that
     * breaks the cap; the Wasm {@code memory.grow} then returns -1 inside the plugin.
     */
    public boolean tryGrowLinear(long newLinearBytes) {
        long total = newLinearBytes + kernelBytes + varBytes;
        if (total > limitBytes) {
            refusedGrowBytes = total;
            return false;
        }
        linearBytes = newLinearBytes;
        track();
        return true;
    }

    /** Remembers a growth refused elsewhere (the memory's maximum) if it would also break the cap. */
    public void noteRefusedGrowth(long newLinearBytes) {
        long total = newLinearBytes + kernelBytes + varBytes;
        if (total > limitBytes) {
            refusedGrowBytes = total;
        }
    }

    /** Records the initial linear memory size, which the load-time check already held under the cap. */
    public void initLinear(long bytes) {
        linearBytes = bytes;
        track();
    }

    /** A refused linear growth in this call, as the total it would have reached, or -1. */
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
        long total = linearBytes + newKernelBytes + varBytes;
        if (newKernelBytes > kernelBytes && total > limitBytes) {
            throw new PluginMemoryLimitException(pluginId, MAX_MEMORY, limitBytes, total, attempted.get());
        }
        kernelBytes = newKernelBytes;
        track();
    }

    /** The vars want to total {@code newVarBytes}; throws when that breaks the cap. */
    public void setVarBytes(long newVarBytes, String attempted) {
        long total = linearBytes + kernelBytes + newVarBytes;
        if (newVarBytes > varBytes && total > limitBytes) {
            throw new PluginMemoryLimitException(pluginId, MAX_MEMORY, limitBytes, total, attempted);
        }
        varBytes = newVarBytes;
        track();
    }

    private void track() {
        long used = usedBytes();
        if (used > highWaterBytes) {
            highWaterBytes = used;
        }
    }
}
