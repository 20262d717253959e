package dev.graft.api.policy;

/**
 * What each unit of plugin work costs in fuel. Immutable; build one with {@link #builder()} or
 * start from {@link #defaults()} and change single fields with the {@code with…} methods.
 *
 * <p>The first four fields shape the code the metering pass (in plugin-host) injects, so the
 * rewritten bytes depend on them (see {@link #cacheKey()}). The two host-call fields are only
 * carried here for the host, which charges them in Java when a plugin calls a host function.
 *
 * <table>
 *   <caption>Fields and defaults</caption>
 *   <tr><th>field</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@link #instructionCost()}</td><td>1</td><td>fuel per executed Wasm instruction
 *       ({@code block}, {@code loop}, {@code else} and {@code end} are structure and cost 0)</td></tr>
 *   <tr><td>{@link #bulkMemoryPerByte()}</td><td>1</td><td>extra fuel per byte of the size operand
 *       of {@code memory.copy}, {@code memory.fill} and {@code memory.init}</td></tr>
 *   <tr><td>{@link #memoryGrowPerPage()}</td><td>1000</td><td>extra fuel per requested 64 KiB page
 *       of {@code memory.grow} (charged on the request, whether or not the grow succeeds)</td></tr>
 *   <tr><td>{@link #startFuel()}</td><td>10,000,000</td><td>initial value of the fuel global in the
 *       rewritten bytes; Graft's engine replaces it with the call's budget when it creates an instance
 *       (before the start function runs), so it only matters to code running rewritten modules itself</td></tr>
 *   <tr><td>{@link #hostCallFixed()}</td><td>100</td><td>host-side charge per host-function call</td></tr>
 *   <tr><td>{@link #hostCallPerByte()}</td><td>1</td><td>host-side charge per byte a host function
 *       moves in or out of the plugin</td></tr>
 * </table>
 */
public final class CostModel {

    /** Upper bound of {@link #instructionCost()}, so static charges can never overflow an i64. */
    public static final long MAX_INSTRUCTION_COST = 1L << 20;
    /** Upper bound of the per-byte and per-page costs: (2^32 - 1) × 2^31 still fits an i64. */
    public static final long MAX_DYNAMIC_COST = (1L << 31) - 1;

    private static final CostModel DEFAULTS = new Builder().build();

    private final long instructionCost;
    private final long bulkMemoryPerByte;
    private final long memoryGrowPerPage;
    private final long startFuel;
    private final long hostCallFixed;
    private final long hostCallPerByte;

    private CostModel(Builder b) {
        instructionCost = range("instructionCost", b.instructionCost, 1, MAX_INSTRUCTION_COST);
        bulkMemoryPerByte = range("bulkMemoryPerByte", b.bulkMemoryPerByte, 0, MAX_DYNAMIC_COST);
        memoryGrowPerPage = range("memoryGrowPerPage", b.memoryGrowPerPage, 0, MAX_DYNAMIC_COST);
        startFuel = range("startFuel", b.startFuel, 0, Long.MAX_VALUE);
        hostCallFixed = range("hostCallFixed", b.hostCallFixed, 0, Long.MAX_VALUE);
        hostCallPerByte = range("hostCallPerByte", b.hostCallPerByte, 0, Long.MAX_VALUE);
    }

    private static long range(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }

    /** The default model: 1 per instruction, 1 per bulk byte, 1000 per grown page, 100 + 1/byte per host call. */
    public static CostModel defaults() {
        return DEFAULTS;
    }

    /** A builder preset with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder preset with this model's values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Fuel per executed instruction; {@code block}, {@code loop}, {@code else} and {@code end} cost 0. */
    public long instructionCost() {
        return instructionCost;
    }

    /** Extra fuel per byte of the size operand of {@code memory.copy}, {@code memory.fill}, {@code memory.init}. */
    public long bulkMemoryPerByte() {
        return bulkMemoryPerByte;
    }

    /** Extra fuel per page requested by {@code memory.grow}. */
    public long memoryGrowPerPage() {
        return memoryGrowPerPage;
    }

    /** Initial value of the fuel global, i.e. the fuel the module's start function may use. */
    public long startFuel() {
        return startFuel;
    }

    /** Fuel the host charges for every host-function call (not used by the rewriting pass). */
    public long hostCallFixed() {
        return hostCallFixed;
    }

    /** Fuel the host charges per byte a host function copies (not used by the rewriting pass). */
    public long hostCallPerByte() {
        return hostCallPerByte;
    }

    /** {@code hostCallFixed + bytes × hostCallPerByte}, saturating at {@code Long.MAX_VALUE}. */
    public long hostCallCost(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
        }
        try {
            return Math.addExact(hostCallFixed, Math.multiplyExact(bytes, hostCallPerByte));
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }

    public CostModel withInstructionCost(long value) {
        return toBuilder().instructionCost(value).build();
    }

    public CostModel withBulkMemoryPerByte(long value) {
        return toBuilder().bulkMemoryPerByte(value).build();
    }

    public CostModel withMemoryGrowPerPage(long value) {
        return toBuilder().memoryGrowPerPage(value).build();
    }

    public CostModel withStartFuel(long value) {
        return toBuilder().startFuel(value).build();
    }

    public CostModel withHostCallFixed(long value) {
        return toBuilder().hostCallFixed(value).build();
    }

    public CostModel withHostCallPerByte(long value) {
        return toBuilder().hostCallPerByte(value).build();
    }

    /**
     * A stable string naming every field the metering pass (in plugin-host) reads; with the pass
     * version and the module digest it keys the rewritten bytes. The host-call costs do not change
     * the bytes and are not part of it.
     */
    public String cacheKey() {
        return "insn=" + instructionCost
                + ";bulkByte=" + bulkMemoryPerByte
                + ";growPage=" + memoryGrowPerPage
                + ";start=" + startFuel;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof CostModel)) {
            return false;
        }
        CostModel other = (CostModel) o;
        return instructionCost == other.instructionCost
                && bulkMemoryPerByte == other.bulkMemoryPerByte
                && memoryGrowPerPage == other.memoryGrowPerPage
                && startFuel == other.startFuel
                && hostCallFixed == other.hostCallFixed
                && hostCallPerByte == other.hostCallPerByte;
    }

    @Override
    public int hashCode() {
        long h = instructionCost;
        h = 31 * h + bulkMemoryPerByte;
        h = 31 * h + memoryGrowPerPage;
        h = 31 * h + startFuel;
        h = 31 * h + hostCallFixed;
        h = 31 * h + hostCallPerByte;
        return Long.hashCode(h);
    }

    @Override
    public String toString() {
        return "CostModel[instructionCost=" + instructionCost
                + ", bulkMemoryPerByte=" + bulkMemoryPerByte
                + ", memoryGrowPerPage=" + memoryGrowPerPage
                + ", startFuel=" + startFuel
                + ", hostCallFixed=" + hostCallFixed
                + ", hostCallPerByte=" + hostCallPerByte + "]";
    }

    /** Mutable builder for {@link CostModel}; starts from the defaults. */
    public static final class Builder {
        private long instructionCost = 1;
        private long bulkMemoryPerByte = 1;
        private long memoryGrowPerPage = 1000;
        private long startFuel = 10_000_000;
        private long hostCallFixed = 100;
        private long hostCallPerByte = 1;

        private Builder() {
        }

        private Builder(CostModel m) {
            instructionCost = m.instructionCost;
            bulkMemoryPerByte = m.bulkMemoryPerByte;
            memoryGrowPerPage = m.memoryGrowPerPage;
            startFuel = m.startFuel;
            hostCallFixed = m.hostCallFixed;
            hostCallPerByte = m.hostCallPerByte;
        }

        /** Fuel per instruction, 1 to {@link #MAX_INSTRUCTION_COST}. */
        public Builder instructionCost(long value) {
            instructionCost = value;
            return this;
        }

        /** Fuel per bulk-memory byte, 0 to {@link #MAX_DYNAMIC_COST}; 0 turns the charge off. */
        public Builder bulkMemoryPerByte(long value) {
            bulkMemoryPerByte = value;
            return this;
        }

        /** Fuel per requested page, 0 to {@link #MAX_DYNAMIC_COST}; 0 turns the charge off. */
        public Builder memoryGrowPerPage(long value) {
            memoryGrowPerPage = value;
            return this;
        }

        /** Initial value of the fuel global (budget of the start function), at least 0. */
        public Builder startFuel(long value) {
            startFuel = value;
            return this;
        }

        /** Host-side fuel per host-function call, at least 0. */
        public Builder hostCallFixed(long value) {
            hostCallFixed = value;
            return this;
        }

        /** Host-side fuel per byte moved by a host function, at least 0. */
        public Builder hostCallPerByte(long value) {
            hostCallPerByte = value;
            return this;
        }

        /** @throws IllegalArgumentException if a value is out of its range */
        public CostModel build() {
            return new CostModel(this);
        }
    }
}
