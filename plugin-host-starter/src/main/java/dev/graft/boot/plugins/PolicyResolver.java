package dev.graft.boot.plugins;

import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.CostModel;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.InstanceMode;
import dev.graft.api.policy.LoadLimits;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.boot.autoconfigure.GraftProperties;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.unit.DataSize;

/**
 * Turns the policy properties into a {@link PluginPolicy}: a plugin's own value, else the default's,
 * else Graft's built-in one; checks every value (sizes and durations positive, known modes) and holds
 * it under the ceilings of {@code graft.limits.*}. Every refusal is an
 * {@link InvalidConfigurationPropertyValueException} naming the property, the value and what is
 * allowed, which Spring Boot reports as a failed startup with that text.
 */
public final class PolicyResolver {

    static final String DEFAULTS_PREFIX = "graft.defaults.policy";
    private static final String LIMITS_PREFIX = "graft.limits";

    private final GraftProperties.Limits limits;
    private final GraftProperties.Policy defaults;
    private final FileGrants fileGrants;

    /** Checks the ceilings themselves, then the defaults against them. */
    public PolicyResolver(GraftProperties.Limits limits, GraftProperties.Policy defaults) {
        this(limits, defaults, PolicyResolver.class.getClassLoader());
    }

    /**
     * Checks the ceilings themselves, then the defaults against them.
     *
     * @param classLoader where {@code classpath:} folders of {@code capabilities.files} are found
     */
    public PolicyResolver(GraftProperties.Limits limits, GraftProperties.Policy defaults, ClassLoader classLoader) {
        this.limits = limits;
        this.defaults = defaults;
        this.fileGrants = new FileGrants(classLoader);
        positive(LIMITS_PREFIX + ".max-memory", limits.getMaxMemory());
        positive(LIMITS_PREFIX + ".max-input-bytes", limits.getMaxInputBytes());
        positive(LIMITS_PREFIX + ".max-output-bytes", limits.getMaxOutputBytes());
        positive(LIMITS_PREFIX + ".max-log-bytes", limits.getMaxLogBytes());
        positive(LIMITS_PREFIX + ".timeout", limits.getTimeout());
        if (limits.getFuel() != null && limits.getFuel() <= 0) {
            throw invalid(LIMITS_PREFIX + ".fuel", limits.getFuel(), "must be positive");
        }
        checkLoadCeilings(limits.getLoadLimits());
        resolve(DEFAULTS_PREFIX, new GraftProperties.Policy());
    }

    /**
     * The effective policy of one plugin.
     *
     * @param prefix the plugin's policy property prefix, e.g. {@code graft.plugins.rules.policy}
     * @param own the plugin's policy properties
     */
    public PluginPolicy resolve(String prefix, GraftProperties.Policy own) {
        PluginPolicy builtIn = PluginPolicy.defaults();
        PluginPolicy.Builder policy = PluginPolicy.builder();

        policy.maxMemoryBytes(bytes(prefix, "max-memory", own.getMaxMemory(), defaults.getMaxMemory(),
                builtIn.maxMemoryBytes(), limits.getMaxMemory(), "max-memory"));
        policy.maxInputBytes(bytes(prefix, "max-input-bytes", own.getMaxInputBytes(), defaults.getMaxInputBytes(),
                builtIn.maxInputBytes(), limits.getMaxInputBytes(), "max-input-bytes"));
        policy.maxOutputBytes(bytes(prefix, "max-output-bytes", own.getMaxOutputBytes(), defaults.getMaxOutputBytes(),
                builtIn.maxOutputBytes(), limits.getMaxOutputBytes(), "max-output-bytes"));
        policy.maxModuleBytes(bytes(prefix, "max-module-bytes", own.getMaxModuleBytes(), defaults.getMaxModuleBytes(),
                builtIn.maxModuleBytes(), null, null));
        policy.maxVarBytes(bytes(prefix, "max-var-bytes", own.getMaxVarBytes(), defaults.getMaxVarBytes(),
                builtIn.maxVarBytes(), null, null));
        policy.maxLogBytes(bytes(prefix, "max-log-bytes", own.getMaxLogBytes(), defaults.getMaxLogBytes(),
                builtIn.maxLogBytes(), limits.getMaxLogBytes(), "max-log-bytes"));
        policy.timeout(timeout(prefix, own.getTimeout(), builtIn.timeout()));
        policy.fuel(fuel(prefix, own.getFuel(), builtIn.fuel()));

        Setting<String> instances = pick(prefix, "instances", own.getInstances(), defaults.getInstances());
        if (instances != null) {
            policy.instances(choice(instances, InstanceMode.class));
        }
        Setting<Integer> poolSize = pick(prefix, "pool-size", own.getPoolSize(), defaults.getPoolSize());
        if (poolSize != null) {
            if (poolSize.value() <= 0) {
                throw invalid(poolSize.property(), poolSize.value(), "must be positive");
            }
            policy.poolSize(poolSize.value());
        }
        Setting<String> mode = pick(prefix, "mode", own.getMode(), defaults.getMode());
        if (mode != null) {
            policy.mode(choice(mode, ExecutionMode.class));
        }
        Setting<Duration> httpTimeout = pick(prefix, "http-timeout", own.getHttpTimeout(), defaults.getHttpTimeout());
        if (httpTimeout != null) {
            positive(httpTimeout.property(), httpTimeout.value());
            policy.httpTimeout(httpTimeout.value());
        }
        policy.maxHttpResponseBytes(bytes(prefix, "max-http-response-bytes", own.getMaxHttpResponseBytes(),
                defaults.getMaxHttpResponseBytes(), builtIn.maxHttpResponseBytes(), null, null));
        Setting<Integer> httpConcurrency = pick(prefix, "max-http-concurrency", own.getMaxHttpConcurrency(),
                defaults.getMaxHttpConcurrency());
        if (httpConcurrency != null) {
            if (httpConcurrency.value() <= 0) {
                throw invalid(httpConcurrency.property(), httpConcurrency.value(), "must be positive");
            }
            policy.maxHttpConcurrency(httpConcurrency.value());
        }
        policy.fuelCosts(fuelCosts(prefix + ".fuel-costs", own.getFuelCosts(), defaults.getFuelCosts()));
        policy.capabilities(capabilities(prefix + ".capabilities", own.getCapabilities(), defaults.getCapabilities()));
        policy.loadLimits(loadLimits(prefix + ".load-limits", own.getLoadLimits(), defaults.getLoadLimits()));
        return policy.build();
    }

    /** A value and the property that set it. */
    private record Setting<T>(String property, T value) {
    }

    private <T> Setting<T> pick(String prefix, String knob, T own, T fallback) {
        if (own != null) {
            return new Setting<>(prefix + "." + knob, own);
        }
        if (fallback != null) {
            return new Setting<>(DEFAULTS_PREFIX + "." + knob, fallback);
        }
        return null;
    }

    private long bytes(String prefix, String knob, DataSize own, DataSize fallback, long builtIn, DataSize ceiling,
            String limitKnob) {
        Setting<DataSize> set = pick(prefix, knob, own, fallback);
        if (set == null) {
            // Nobody chose a value: the built-in default, lowered to the ceiling when that is tighter.
            return ceiling == null ? builtIn : Math.min(builtIn, ceiling.toBytes());
        }
        positive(set.property(), set.value());
        if (ceiling != null && set.value().toBytes() > ceiling.toBytes()) {
            throw overCeiling(set, LIMITS_PREFIX + "." + limitKnob, ceiling);
        }
        return set.value().toBytes();
    }

    private Duration timeout(String prefix, Duration own, Duration builtIn) {
        Duration ceiling = limits.getTimeout();
        Setting<Duration> set = pick(prefix, "timeout", own, defaults.getTimeout());
        if (set == null) {
            return ceiling == null || builtIn.compareTo(ceiling) <= 0 ? builtIn : ceiling;
        }
        positive(set.property(), set.value());
        if (ceiling != null && set.value().compareTo(ceiling) > 0) {
            throw overCeiling(set, LIMITS_PREFIX + ".timeout", ceiling);
        }
        return set.value();
    }

    private long fuel(String prefix, Long own, long builtIn) {
        Long ceiling = limits.getFuel();
        Setting<Long> set = pick(prefix, "fuel", own, defaults.getFuel());
        if (set == null) {
            return ceiling == null ? builtIn : Math.min(builtIn, ceiling);
        }
        if (set.value() < 0) {
            throw invalid(set.property(), set.value(), "must be 0 (unmetered) or positive");
        }
        // Fuel 0 means unmetered, which is more than any ceiling.
        if (ceiling != null && (set.value() == 0 || set.value() > ceiling)) {
            throw overCeiling(set, LIMITS_PREFIX + ".fuel", ceiling);
        }
        return set.value();
    }

    private Capabilities capabilities(String prefix, GraftProperties.Capabilities own,
            GraftProperties.Capabilities fallback) {
        // Each capability setting replaces the default's as a whole, so a plugin can also narrow it.
        Capabilities.Builder granted = Capabilities.builder();
        granted.wasi(flag(own.getWasi(), fallback.getWasi()));
        granted.clock(flag(own.getClock(), fallback.getClock()));
        granted.random(flag(own.getRandom(), fallback.getRandom()));
        granted.stdout(flag(own.getStdout(), fallback.getStdout()));
        granted.stderr(flag(own.getStderr(), fallback.getStderr()));
        Setting<List<String>> hostFunctions = pick(prefix, "host-functions", own.getHostFunctions(),
                fallback.getHostFunctions());
        if (hostFunctions != null) {
            for (String name : hostFunctions.value()) {
                if (name == null || name.isBlank()) {
                    throw invalid(hostFunctions.property(), hostFunctions.value(),
                            "host function names must not be blank");
                }
                granted.hostFunction(name.trim());
            }
        }
        Map<String, String> env = own.getEnv() != null ? own.getEnv() : fallback.getEnv();
        if (env != null) {
            env.forEach(granted::env);
        }
        Setting<List<String>> files = pick(prefix, "files", own.getFiles(), fallback.getFiles());
        if (files != null) {
            for (String entry : files.value()) {
                int eq = entry == null ? -1 : entry.indexOf('=');
                if (eq <= 0 || eq == entry.length() - 1) {
                    throw invalid(files.property(), entry, "each entry is GUEST=HOST, for example "
                            + "/data=classpath:static or /etc/app=file:/srv/app-config");
                }
                String guest = entry.substring(0, eq).trim();
                String host = entry.substring(eq + 1).trim();
                try {
                    granted.file(guest, fileGrants.resolve(host));
                } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                    throw invalid(files.property(), entry, "the host side cannot be granted: " + e.getMessage());
                }
            }
        }
        Setting<List<String>> hosts = pick(prefix, "allowed-hosts", own.getAllowedHosts(), fallback.getAllowedHosts());
        if (hosts != null) {
            java.util.Set<String> entries = new java.util.LinkedHashSet<>();
            for (String entry : hosts.value()) {
                if (entry == null || entry.isBlank()) {
                    throw invalid(hosts.property(), hosts.value(), "host entries must not be blank");
                }
                entries.add(entry.trim());
            }
            try {
                dev.graft.host.policy.HostAllowList.of(entries);
            } catch (IllegalArgumentException e) {
                throw invalid(hosts.property(), hosts.value(), e.getMessage());
            }
            entries.forEach(granted::allowHost);
        }
        return granted.build();
    }

    private CostModel fuelCosts(String prefix, GraftProperties.FuelCosts own, GraftProperties.FuelCosts fallback) {
        CostModel.Builder costs = CostModel.builder();
        String defaultsPrefix = DEFAULTS_PREFIX + ".fuel-costs";
        cost(prefix, defaultsPrefix, "instruction-cost", own.getInstructionCost(), fallback.getInstructionCost(),
                1, CostModel.MAX_INSTRUCTION_COST, costs::instructionCost);
        cost(prefix, defaultsPrefix, "bulk-memory-per-byte", own.getBulkMemoryPerByte(), fallback.getBulkMemoryPerByte(),
                0, CostModel.MAX_DYNAMIC_COST, costs::bulkMemoryPerByte);
        cost(prefix, defaultsPrefix, "memory-grow-per-page", own.getMemoryGrowPerPage(), fallback.getMemoryGrowPerPage(),
                0, CostModel.MAX_DYNAMIC_COST, costs::memoryGrowPerPage);
        cost(prefix, defaultsPrefix, "host-call-fixed", own.getHostCallFixed(), fallback.getHostCallFixed(),
                0, Long.MAX_VALUE, costs::hostCallFixed);
        cost(prefix, defaultsPrefix, "host-call-per-byte", own.getHostCallPerByte(), fallback.getHostCallPerByte(),
                0, Long.MAX_VALUE, costs::hostCallPerByte);
        return costs.build();
    }

    private static void cost(String prefix, String defaultsPrefix, String knob, Long own, Long fallback, long min,
            long max, java.util.function.LongConsumer apply) {
        String property = own != null ? prefix + "." + knob : defaultsPrefix + "." + knob;
        Long value = own != null ? own : fallback;
        if (value == null) {
            return;
        }
        if (value < min || value > max) {
            throw invalid(property, value, "must be between " + min + " and " + max);
        }
        apply.accept(value);
    }

    private static final String LOAD_LIMITS = ".load-limits";

    private LoadLimits loadLimits(String prefix, GraftProperties.LoadLimits own, GraftProperties.LoadLimits fallback) {
        GraftProperties.LoadLimits ceiling = limits.getLoadLimits();
        LoadLimits builtIn = LoadLimits.defaults();
        LoadCount count = (knob, get, builtInValue) -> count(prefix, knob, get.apply(own), get.apply(fallback),
                builtInValue, get.apply(ceiling));
        Function<GraftProperties.LoadLimits, Long> customBytes = l -> l.getMaxCustomSectionBytes() == null ? null
                : l.getMaxCustomSectionBytes().toBytes();
        LoadLimits.Builder load = LoadLimits.builder()
                .maxLocalsPerFunction(count.of("max-locals-per-function", GraftProperties.LoadLimits::getMaxLocalsPerFunction,
                        builtIn.maxLocalsPerFunction()))
                .maxLocalsTotal(count.of("max-locals-total", GraftProperties.LoadLimits::getMaxLocalsTotal,
                        builtIn.maxLocalsTotal()))
                .maxFunctions(count.of("max-functions", GraftProperties.LoadLimits::getMaxFunctions, builtIn.maxFunctions()))
                .maxTypes(count.of("max-types", GraftProperties.LoadLimits::getMaxTypes, builtIn.maxTypes()))
                .maxImports(count.of("max-imports", GraftProperties.LoadLimits::getMaxImports, builtIn.maxImports()))
                .maxExports(count.of("max-exports", GraftProperties.LoadLimits::getMaxExports, builtIn.maxExports()))
                .maxGlobals(count.of("max-globals", GraftProperties.LoadLimits::getMaxGlobals, builtIn.maxGlobals()))
                .maxTableEntries(count.of("max-table-entries", GraftProperties.LoadLimits::getMaxTableEntries,
                        builtIn.maxTableEntries()))
                .maxElementEntries(count.of("max-element-entries", GraftProperties.LoadLimits::getMaxElementEntries,
                        builtIn.maxElementEntries()))
                .maxCustomSectionBytes(count.of("max-custom-section-bytes", customBytes, builtIn.maxCustomSectionBytes()))
                .maxHugeFunctions(count.of("max-huge-functions", GraftProperties.LoadLimits::getMaxHugeFunctions,
                        builtIn.maxHugeFunctions()));
        Duration timeoutCeiling = ceiling.getCompileTimeout();
        Setting<Duration> compileTimeout = pick(prefix, "compile-timeout", own.getCompileTimeout(),
                fallback.getCompileTimeout(), DEFAULTS_PREFIX + LOAD_LIMITS);
        if (compileTimeout == null) {
            load.compileTimeout(timeoutCeiling == null || builtIn.compileTimeout().compareTo(timeoutCeiling) <= 0
                    ? builtIn.compileTimeout() : timeoutCeiling);
        } else {
            positive(compileTimeout.property(), compileTimeout.value());
            if (timeoutCeiling != null && compileTimeout.value().compareTo(timeoutCeiling) > 0) {
                throw overCeiling(compileTimeout, LIMITS_PREFIX + LOAD_LIMITS + ".compile-timeout", timeoutCeiling);
            }
            load.compileTimeout(compileTimeout.value());
        }
        return load.build();
    }

    /** One count of the load budget, read from the plugin's, the defaults' and the ceilings' settings. */
    private interface LoadCount {
        long of(String knob, Function<GraftProperties.LoadLimits, Long> get, long builtIn);
    }

    private long count(String prefix, String knob, Long own, Long fallback, long builtIn, Long ceiling) {
        Setting<Long> set = pick(prefix, knob, own, fallback, DEFAULTS_PREFIX + LOAD_LIMITS);
        if (set == null) {
            return ceiling == null ? builtIn : Math.min(builtIn, ceiling);
        }
        if (set.value() < 0) {
            throw invalid(set.property(), set.value(), "must be 0 or more");
        }
        if (ceiling != null && set.value() > ceiling) {
            throw overCeiling(set, LIMITS_PREFIX + LOAD_LIMITS + "." + knob, ceiling);
        }
        return set.value();
    }

    private <T> Setting<T> pick(String prefix, String knob, T own, T fallback, String fallbackPrefix) {
        if (own != null) {
            return new Setting<>(prefix + "." + knob, own);
        }
        return fallback == null ? null : new Setting<>(fallbackPrefix + "." + knob, fallback);
    }

    private static void checkLoadCeilings(GraftProperties.LoadLimits ceilings) {
        String prefix = LIMITS_PREFIX + LOAD_LIMITS;
        java.util.Map<String, Long> counts = new java.util.LinkedHashMap<>();
        counts.put("max-locals-per-function", ceilings.getMaxLocalsPerFunction());
        counts.put("max-locals-total", ceilings.getMaxLocalsTotal());
        counts.put("max-functions", ceilings.getMaxFunctions());
        counts.put("max-types", ceilings.getMaxTypes());
        counts.put("max-imports", ceilings.getMaxImports());
        counts.put("max-exports", ceilings.getMaxExports());
        counts.put("max-globals", ceilings.getMaxGlobals());
        counts.put("max-table-entries", ceilings.getMaxTableEntries());
        counts.put("max-element-entries", ceilings.getMaxElementEntries());
        counts.put("max-huge-functions", ceilings.getMaxHugeFunctions());
        counts.forEach((knob, value) -> {
            if (value != null && value < 0) {
                throw invalid(prefix + "." + knob, value, "must be 0 or more");
            }
        });
        if (ceilings.getMaxCustomSectionBytes() != null && ceilings.getMaxCustomSectionBytes().toBytes() < 0) {
            throw invalid(prefix + ".max-custom-section-bytes", ceilings.getMaxCustomSectionBytes(), "must be 0 or more");
        }
        positive(prefix + ".compile-timeout", ceilings.getCompileTimeout());
    }

    private static boolean flag(Boolean own, Boolean fallback) {
        return own != null ? own : fallback != null && fallback;
    }

    private static <E extends Enum<E>> E choice(Setting<String> setting, Class<E> type) {
        String wanted = setting.value().trim().toUpperCase(Locale.ROOT);
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(wanted)) {
                return constant;
            }
        }
        throw invalid(setting.property(), setting.value(), "allowed values are " + allowed(type));
    }

    static <E extends Enum<E>> String allowed(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
    }

    private static void positive(String property, DataSize size) {
        if (size != null && size.toBytes() <= 0) {
            throw invalid(property, size, "must be a positive size, for example 16MB");
        }
    }

    private static void positive(String property, Duration duration) {
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            throw invalid(property, duration, "must be a positive duration, for example 500ms");
        }
    }

    private static <T> InvalidConfigurationPropertyValueException overCeiling(Setting<T> set, String limitProperty,
            Object ceiling) {
        Function<Object, String> show = v -> v instanceof DataSize size ? size.toBytes() + " bytes" : String.valueOf(v);
        return invalid(set.property(), set.value(), "exceeds the ceiling " + limitProperty + "=" + show.apply(ceiling)
                + "; a plugin policy may tighten the defaults but not widen them beyond graft.limits.*");
    }

    static InvalidConfigurationPropertyValueException invalid(String property, Object value, String reason) {
        return new InvalidConfigurationPropertyValueException(property, value, reason);
    }
}
