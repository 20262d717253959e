package dev.graft.api.policy;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits a host sets for one plugin. Immutable; {@link #defaults()} gives sane defaults and
 * {@link #toBuilder()} derives a variant.
 *
 * <table>
 *   <caption>Knobs and defaults</caption>
 *   <tr><th>knob</th><th>default</th></tr>
 *   <tr><td>max-memory: linear memories + table entries + ABI buffers + vars</td><td>16 MiB</td></tr>
 *   <tr><td>timeout: wall clock per call (and for instantiation)</td><td>1 s</td></tr>
 *   <tr><td>max-input-bytes / max-output-bytes</td><td>1 MiB each</td></tr>
 *   <tr><td>max-module-bytes: size of the .wasm file</td><td>32 MiB</td></tr>
 *   <tr><td>max-var-bytes: all vars of an instance together</td><td>64 KiB</td></tr>
 *   <tr><td>max-log-bytes: log lines one call may write to the host's log (the rest are dropped
 *       and counted in one notice)</td><td>64 KiB</td></tr>
 *   <tr><td>fuel: instructions per call ({@code 0} = unmetered)</td><td>10,000,000</td></tr>
 *   <tr><td>fuel-costs: weights of the fuel cost model</td><td>{@link CostModel#defaults()}</td></tr>
 *   <tr><td>capabilities</td><td>none</td></tr>
 *   <tr><td>http-timeout / max-http-response-bytes / max-http-concurrency (outbound HTTP, when
 *       hosts are allowed)</td><td>5 s / 1 MiB / 4</td></tr>
 *   <tr><td>instances / pool-size</td><td>fresh / 4</td></tr>
 *   <tr><td>mode: tiered (interpreter first, compiled in the background), compiled or interpreted</td>
 *       <td>tiered</td></tr>
 *   <tr><td>load-limits: declared sizes and compile time a module may ask for at load</td>
 *       <td>{@link LoadLimits#defaults()}</td></tr>
 * </table>
 */
public final class PluginPolicy {

    /** 16 MiB. */
    public static final long DEFAULT_MAX_MEMORY = 16L * 1024 * 1024;
    /** 10,000,000 instructions. */
    public static final long DEFAULT_FUEL = 10_000_000L;

    private static final PluginPolicy DEFAULTS = builder().build();

    private final long maxMemoryBytes;
    private final Duration timeout;
    private final long maxInputBytes;
    private final long maxOutputBytes;
    private final long maxModuleBytes;
    private final long maxVarBytes;
    private final long maxLogBytes;
    private final long fuel;
    private final CostModel fuelCosts;
    private final Capabilities capabilities;
    private final InstanceMode instances;
    private final int poolSize;
    private final ExecutionMode mode;
    private final Duration httpTimeout;
    private final long maxHttpResponseBytes;
    private final int maxHttpConcurrency;
    private final LoadLimits loadLimits;

    private PluginPolicy(Builder b) {
        this.maxMemoryBytes = positive("max-memory", b.maxMemoryBytes);
        this.timeout = Objects.requireNonNull(b.timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        this.maxInputBytes = positive("max-input-bytes", b.maxInputBytes);
        this.maxOutputBytes = positive("max-output-bytes", b.maxOutputBytes);
        this.maxModuleBytes = positive("max-module-bytes", b.maxModuleBytes);
        this.maxVarBytes = positive("max-var-bytes", b.maxVarBytes);
        this.maxLogBytes = positive("max-log-bytes", b.maxLogBytes);
        if (b.fuel < 0) {
            throw new IllegalArgumentException("fuel must be 0 (unmetered) or positive, was " + b.fuel);
        }
        this.fuel = b.fuel;
        this.fuelCosts = Objects.requireNonNull(b.fuelCosts, "fuelCosts");
        this.capabilities = Objects.requireNonNull(b.capabilities, "capabilities");
        this.instances = Objects.requireNonNull(b.instances, "instances");
        this.poolSize = (int) positive("pool-size", b.poolSize);
        this.mode = Objects.requireNonNull(b.mode, "mode");
        this.httpTimeout = Objects.requireNonNull(b.httpTimeout, "httpTimeout");
        if (httpTimeout.isNegative() || httpTimeout.isZero()) {
            throw new IllegalArgumentException("http-timeout must be positive, was " + httpTimeout);
        }
        this.maxHttpResponseBytes = positive("max-http-response-bytes", b.maxHttpResponseBytes);
        this.maxHttpConcurrency = (int) positive("max-http-concurrency", b.maxHttpConcurrency);
        this.loadLimits = Objects.requireNonNull(b.loadLimits, "loadLimits");
    }

    private static long positive(String knob, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(knob + " must be positive, was " + value);
        }
        return value;
    }

    /** The default policy: see the class documentation. */
    public static PluginPolicy defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxMemoryBytes = maxMemoryBytes;
        b.timeout = timeout;
        b.maxInputBytes = maxInputBytes;
        b.maxOutputBytes = maxOutputBytes;
        b.maxModuleBytes = maxModuleBytes;
        b.maxVarBytes = maxVarBytes;
        b.maxLogBytes = maxLogBytes;
        b.fuel = fuel;
        b.fuelCosts = fuelCosts;
        b.capabilities = capabilities;
        b.instances = instances;
        b.poolSize = poolSize;
        b.mode = mode;
        b.httpTimeout = httpTimeout;
        b.maxHttpResponseBytes = maxHttpResponseBytes;
        b.maxHttpConcurrency = maxHttpConcurrency;
        b.loadLimits = loadLimits;
        return b;
    }

    public long maxMemoryBytes() {
        return maxMemoryBytes;
    }

    public Duration timeout() {
        return timeout;
    }

    public long maxInputBytes() {
        return maxInputBytes;
    }

    public long maxOutputBytes() {
        return maxOutputBytes;
    }

    public long maxModuleBytes() {
        return maxModuleBytes;
    }

    public long maxVarBytes() {
        return maxVarBytes;
    }

    /**
     * Bytes of log lines one call may write to the host's log; lines past it are dropped and one notice
     * at the end of the call says how many.
     */
    public long maxLogBytes() {
        return maxLogBytes;
    }

    /** Instructions a call may execute; {@code 0} means unmetered. */
    public long fuel() {
        return fuel;
    }

    /** What each instruction, byte and host call costs in fuel. */
    public CostModel fuelCosts() {
        return fuelCosts;
    }

    public Capabilities capabilities() {
        return capabilities;
    }

    public InstanceMode instances() {
        return instances;
    }

    public int poolSize() {
        return poolSize;
    }

    public ExecutionMode mode() {
        return mode;
    }

    /** Time limit of one outbound HTTP request. */
    public Duration httpTimeout() {
        return httpTimeout;
    }

    /** Largest response body an outbound HTTP request may return. */
    public long maxHttpResponseBytes() {
        return maxHttpResponseBytes;
    }

    /** Outbound HTTP requests of the plugin in flight at once, over all its instances. */
    public int maxHttpConcurrency() {
        return maxHttpConcurrency;
    }

    /** The load budget: declared sizes and compile time a module may ask for. */
    public LoadLimits loadLimits() {
        return loadLimits;
    }

    @Override
    public String toString() {
        return "PluginPolicy{maxMemoryBytes=" + maxMemoryBytes + ", timeout=" + timeout + ", maxInputBytes="
                + maxInputBytes + ", maxOutputBytes=" + maxOutputBytes + ", maxModuleBytes=" + maxModuleBytes
                + ", maxVarBytes=" + maxVarBytes + ", maxLogBytes=" + maxLogBytes + ", fuel=" + fuel + ", fuelCosts=" + fuelCosts + ", capabilities=" + capabilities
                + ", instances=" + instances + ", poolSize=" + poolSize + ", mode=" + mode + ", httpTimeout=" + httpTimeout
                + ", maxHttpResponseBytes=" + maxHttpResponseBytes + ", maxHttpConcurrency=" + maxHttpConcurrency + ", loadLimits=" + loadLimits + "}";
    }

    /** Builder for {@link PluginPolicy}, starting from the defaults. */
    public static final class Builder {
        private long maxMemoryBytes = DEFAULT_MAX_MEMORY;
        private Duration timeout = Duration.ofSeconds(1);
        private long maxInputBytes = 1024 * 1024;
        private long maxOutputBytes = 1024 * 1024;
        private long maxModuleBytes = 32L * 1024 * 1024;
        private long maxVarBytes = 64 * 1024;
        private long maxLogBytes = 64 * 1024;
        private long fuel = DEFAULT_FUEL;
        private CostModel fuelCosts = CostModel.defaults();
        private Capabilities capabilities = Capabilities.none();
        private InstanceMode instances = InstanceMode.FRESH;
        private int poolSize = 4;
        private ExecutionMode mode = ExecutionMode.TIERED;
        private Duration httpTimeout = Duration.ofSeconds(5);
        private long maxHttpResponseBytes = 1024 * 1024;
        private int maxHttpConcurrency = 4;
        private LoadLimits loadLimits = LoadLimits.defaults();

        private Builder() {
        }

        public Builder maxMemoryBytes(long bytes) {
            this.maxMemoryBytes = bytes;
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public Builder maxInputBytes(long bytes) {
            this.maxInputBytes = bytes;
            return this;
        }

        public Builder maxOutputBytes(long bytes) {
            this.maxOutputBytes = bytes;
            return this;
        }

        public Builder maxModuleBytes(long bytes) {
            this.maxModuleBytes = bytes;
            return this;
        }

        public Builder maxVarBytes(long bytes) {
            this.maxVarBytes = bytes;
            return this;
        }

        /** Bytes of log lines one call may write (positive); see {@link PluginPolicy#maxLogBytes()}. */
        public Builder maxLogBytes(long bytes) {
            this.maxLogBytes = bytes;
            return this;
        }

        public Builder fuel(long fuel) {
            this.fuel = fuel;
            return this;
        }

        public Builder fuelCosts(CostModel fuelCosts) {
            this.fuelCosts = fuelCosts;
            return this;
        }

        public Builder capabilities(Capabilities capabilities) {
            this.capabilities = capabilities;
            return this;
        }

        public Builder instances(InstanceMode instances) {
            this.instances = instances;
            return this;
        }

        public Builder poolSize(int poolSize) {
            this.poolSize = poolSize;
            return this;
        }

        public Builder mode(ExecutionMode mode) {
            this.mode = mode;
            return this;
        }

        public Builder httpTimeout(Duration timeout) {
            this.httpTimeout = timeout;
            return this;
        }

        public Builder maxHttpResponseBytes(long bytes) {
            this.maxHttpResponseBytes = bytes;
            return this;
        }

        public Builder maxHttpConcurrency(int requests) {
            this.maxHttpConcurrency = requests;
            return this;
        }

        public Builder loadLimits(LoadLimits limits) {
            this.loadLimits = limits;
            return this;
        }

        /** Builds the policy; throws {@link IllegalArgumentException} naming the knob of a bad value. */
        public PluginPolicy build() {
            return new PluginPolicy(this);
        }
    }
}
