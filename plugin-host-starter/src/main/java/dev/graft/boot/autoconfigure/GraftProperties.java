package dev.graft.boot.autoconfigure;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the Graft plugin host, under {@code graft.*}.
 *
 * <p>Policy values resolve in three layers: a plugin's own {@code graft.plugins.<id>.policy.*}, else
 * {@code graft.defaults.policy.*}, else Graft's built-in default. The ceilings in
 * {@code graft.limits.*} bound every value that is set; a built-in default above a ceiling is lowered
 * to it. A value set above its ceiling fails startup.
 */
@ConfigurationProperties("graft")
public class GraftProperties {

    /** Plugins to load at startup, by plugin id. */
    private Map<String, Plugin> plugins = new LinkedHashMap<>();

    /**
     * Extension point interfaces (fully qualified names) to offer as injectable {@code Extensions<T>}
     * beans even when no configured plugin claims them yet.
     */
    private List<String> extensionPoints = new ArrayList<>();

    /**
     * Folder of plugins: each "<id>.wasm" is loaded as plugin "<id>", with optional settings in a sidecar
     * "<id>.properties" (the keys of graft.plugins.<id>.*, without the prefix). Files added, replaced or
     * deleted while the application runs are loaded, swapped or unloaded.
     */
    private File pluginDir;

    /** How often the plugin folder is checked for changes; 0 checks only at startup. */
    private Duration pluginDirPollInterval = Duration.ofSeconds(2);

    /** Folder in which compiled plugin classes and metered modules are cached across restarts; none when unset. */
    private File compileCacheDir;

    /**
     * Whether plugins compiled at build time are looked up on the application's classpath
     * (META-INF/graft/compiled/, written by "graft compile --classpath-output") before compiling at
     * load; entries of another Graft or Chicory version, or damaged ones, are ignored with a warning.
     */
    private boolean classpathCompileCache = true;

    /**
     * Threads that compile tiered plugins in the background (plugins serve calls interpreted until
     * then); more start plugins compiled sooner at the cost of the application's own start.
     */
    private int compilerThreads = 1;

    private final Defaults defaults = new Defaults();

    private final Limits limits = new Limits();

    private final HostFunctions hostFunctions = new HostFunctions();

    /**
     * Failure policy per extension point, keyed by the {@code @ExtensionPoint} id (for example
     * "pricing-rule") or, in brackets, the interface's fully qualified name.
     */
    private Map<String, ExtensionPointPolicy> extensionPointPolicies = new LinkedHashMap<>();

    private final Breaker breaker = new Breaker();

    private final Trust trust = new Trust();

    /**
     * HTTP routes served by plugins (with Spring MVC in a servlet web application): each maps an exact
     * path, or a "/prefix/..." wildcard, to a plugin id and a contract ("wagi" or "extism").
     */
    private List<Route> routes = new ArrayList<>();

    /**
     * Folder where modules pulled from OCI registries (locations "oci://...") are cached by digest; a
     * cached module starts the application when the registry is unreachable. Default: $GRAFT_OCI_CACHE,
     * else $XDG_CACHE_HOME/graft/oci, else ~/.cache/graft/oci.
     */
    private File ociCacheDir;

    public Map<String, Plugin> getPlugins() {
        return plugins;
    }

    public void setPlugins(Map<String, Plugin> plugins) {
        this.plugins = plugins;
    }

    public List<String> getExtensionPoints() {
        return extensionPoints;
    }

    public void setExtensionPoints(List<String> extensionPoints) {
        this.extensionPoints = extensionPoints;
    }

    public File getPluginDir() {
        return pluginDir;
    }

    public void setPluginDir(File pluginDir) {
        this.pluginDir = pluginDir;
    }

    public Duration getPluginDirPollInterval() {
        return pluginDirPollInterval;
    }

    public void setPluginDirPollInterval(Duration pluginDirPollInterval) {
        this.pluginDirPollInterval = pluginDirPollInterval;
    }

    public File getCompileCacheDir() {
        return compileCacheDir;
    }

    public void setCompileCacheDir(File compileCacheDir) {
        this.compileCacheDir = compileCacheDir;
    }

    public boolean isClasspathCompileCache() {
        return classpathCompileCache;
    }

    public void setClasspathCompileCache(boolean classpathCompileCache) {
        this.classpathCompileCache = classpathCompileCache;
    }

    public int getCompilerThreads() {
        return compilerThreads;
    }

    public void setCompilerThreads(int compilerThreads) {
        this.compilerThreads = compilerThreads;
    }

    public Defaults getDefaults() {
        return defaults;
    }

    public Limits getLimits() {
        return limits;
    }

    public HostFunctions getHostFunctions() {
        return hostFunctions;
    }

    public Map<String, ExtensionPointPolicy> getExtensionPointPolicies() {
        return extensionPointPolicies;
    }

    public void setExtensionPointPolicies(Map<String, ExtensionPointPolicy> extensionPointPolicies) {
        this.extensionPointPolicies = extensionPointPolicies;
    }

    public Breaker getBreaker() {
        return breaker;
    }

    public Trust getTrust() {
        return trust;
    }

    public List<Route> getRoutes() {
        return routes;
    }

    public void setRoutes(List<Route> routes) {
        this.routes = routes;
    }

    public File getOciCacheDir() {
        return ociCacheDir;
    }

    public void setOciCacheDir(File ociCacheDir) {
        this.ociCacheDir = ociCacheDir;
    }

    /** One HTTP route served by a plugin. */
    public static class Route {

        /** The path: exact ("/hello"), or a wildcard "/prefix/..." matching "/prefix" and everything below it. */
        private String path;

        /** The id of the plugin that answers (under graft.plugins or in graft.plugin-dir). */
        private String plugin;

        /**
         * The contract: "wagi" (a WASI command speaking CGI: arguments, environment, stdin, stdout) or "extism"
         * (an export receiving a JSON request and returning a JSON response).
         */
        private String kind = "wagi";

        /** The export an "extism" route calls. */
        private String export = "handle_http";

        public String getPath() {
            return path;
        }

        public void setPath(String path) {
            this.path = path;
        }

        public String getPlugin() {
            return plugin;
        }

        public void setPlugin(String plugin) {
            this.plugin = plugin;
        }

        public String getKind() {
            return kind;
        }

        public void setKind(String kind) {
            this.kind = kind;
        }

        public String getExport() {
            return export;
        }

        public void setExport(String export) {
            this.export = export;
        }
    }

    /**
     * Signing keys plugins are verified with. A module is signed by a detached "<module>.sig" beside a file,
     * classpath resource or URL, or by cosign's signature tag for an OCI reference (see docs/security.md).
     */
    public static class Trust {

        /**
         * Trusted public keys by name: a "classpath:" or "file:" location (a bare path is a file) of a PEM
         * "PUBLIC KEY" (ECDSA P-256, as "graft keygen" and "cosign generate-key-pair" write). Read at startup.
         */
        private Map<String, String> keys = new LinkedHashMap<>();

        /**
         * Whether every plugin must be signed by a trusted key. Extension points and plugins can require it
         * for themselves too; none can switch off a requirement made here.
         */
        private boolean requireSignature = false;

        public Map<String, String> getKeys() {
            return keys;
        }

        public void setKeys(Map<String, String> keys) {
            this.keys = keys;
        }

        public boolean isRequireSignature() {
            return requireSignature;
        }

        public void setRequireSignature(boolean requireSignature) {
            this.requireSignature = requireSignature;
        }
    }

    /** What a failed plugin call of one extension point means to the application, and whom it trusts. */
    public static class ExtensionPointPolicy {

        /**
         * Names of keys (under graft.trust.keys) whose signatures this extension point's plugins may carry;
         * unset: every key under graft.trust.keys.
         */
        private List<String> trustedKeys;

        /** Whether this extension point's plugins must be signed by one of its trusted keys. */
        private boolean requireSignature = false;

        public List<String> getTrustedKeys() {
            return trustedKeys;
        }

        public void setTrustedKeys(List<String> trustedKeys) {
            this.trustedKeys = trustedKeys;
        }

        public boolean isRequireSignature() {
            return requireSignature;
        }

        public void setRequireSignature(boolean requireSignature) {
            this.requireSignature = requireSignature;
        }

        /**
         * "throw": the call throws the PluginException; "fallback": the bean annotated @DefaultExtension that
         * implements the extension point answers instead.
         */
        private String onFailure = "throw";

        public String getOnFailure() {
            return onFailure;
        }

        public void setOnFailure(String onFailure) {
            this.onFailure = onFailure;
        }
    }

    /** The circuit breaker every plugin has: quarantine after consecutive failures. */
    public static class Breaker {

        /** Consecutive failed calls after which a plugin is quarantined; 0 switches the breaker off. */
        private int failureThreshold = 5;

        /** How long a quarantined plugin's calls are refused before one trial call may run. */
        private Duration coolDown = Duration.ofSeconds(30);

        public int getFailureThreshold() {
            return failureThreshold;
        }

        public void setFailureThreshold(int failureThreshold) {
            this.failureThreshold = failureThreshold;
        }

        public Duration getCoolDown() {
            return coolDown;
        }

        public void setCoolDown(Duration coolDown) {
            this.coolDown = coolDown;
        }
    }

    /** One plugin to load at startup. */
    public static class Plugin {

        /**
         * Where the module comes from: "classpath:plugins/x.wasm", "file:/opt/plugins/x.wasm" (a bare path is
         * a file too), an "https:" URL, or an OCI reference "oci://host[:port]/repository[:tag|@sha256:...]".
         */
        private String location;

        /** Expected sha256 of the module (64 hex digits); other bytes are refused. */
        private String sha256;

        /** Extension point interfaces the plugin implements, by fully qualified name. */
        private List<String> extensionPoints = new ArrayList<>();

        /** Position among the plugins of an extension point; lower comes first, ties by id. */
        private int order = 0;

        /** Whether the plugin serves calls once loaded. */
        private boolean enabled = true;

        /** Whether startup fails when the plugin cannot be loaded (otherwise it is logged and marked FAILED). */
        private boolean required = false;

        /** Configuration the plugin reads with Extism's config_get. */
        private Map<String, String> config = new LinkedHashMap<>();

        /**
         * Narrows the keys this plugin may be signed by to these names (under graft.trust.keys); each must
         * also be trusted by every extension point the plugin claims. Unset: its extension points' keys.
         */
        private List<String> trustedKeys;

        /**
         * Requires this plugin to be signed. Setting false does not lift a requirement of graft.trust or of an
         * extension point it claims.
         */
        private boolean requireSignature = false;

        private final Policy policy = new Policy();

        public String getLocation() {
            return location;
        }

        public void setLocation(String location) {
            this.location = location;
        }

        public String getSha256() {
            return sha256;
        }

        public void setSha256(String sha256) {
            this.sha256 = sha256;
        }

        public List<String> getExtensionPoints() {
            return extensionPoints;
        }

        public void setExtensionPoints(List<String> extensionPoints) {
            this.extensionPoints = extensionPoints;
        }

        public int getOrder() {
            return order;
        }

        public void setOrder(int order) {
            this.order = order;
        }

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public boolean isRequired() {
            return required;
        }

        public void setRequired(boolean required) {
            this.required = required;
        }

        public Map<String, String> getConfig() {
            return config;
        }

        public List<String> getTrustedKeys() {
            return trustedKeys;
        }

        public void setTrustedKeys(List<String> trustedKeys) {
            this.trustedKeys = trustedKeys;
        }

        public boolean isRequireSignature() {
            return requireSignature;
        }

        public void setRequireSignature(boolean requireSignature) {
            this.requireSignature = requireSignature;
        }

        public void setConfig(Map<String, String> config) {
            this.config = config;
        }

        public Policy getPolicy() {
            return policy;
        }
    }

    /** Defaults for every plugin. */
    public static class Defaults {

        private final Policy policy = new Policy();

        public Policy getPolicy() {
            return policy;
        }
    }

    /**
     * A policy layer: every value left unset is inherited (from {@code graft.defaults.policy}, then from
     * Graft's built-in defaults).
     */
    public static class Policy {

        /** All memory a plugin can make the host hold: linear memories, table entries, ABI buffers, vars. Built-in: 16MB. */
        private DataSize maxMemory;

        /** Wall-clock limit of one call (and of instantiation). Built-in: 1s. */
        private Duration timeout;

        /** Largest input of one call. Built-in: 1MB. */
        private DataSize maxInputBytes;

        /** Largest output of one call. Built-in: 1MB. */
        private DataSize maxOutputBytes;

        /** Largest module file. Built-in: 32MB. */
        private DataSize maxModuleBytes;

        /** All vars of one instance together. Built-in: 64KB. */
        private DataSize maxVarBytes;

        /** Log lines one call may write to the host's log; the rest are dropped and counted. Built-in: 64KB. */
        private DataSize maxLogBytes;

        /** Instructions one call may execute; 0 means unmetered. Built-in: 10000000. */
        private Long fuel;

        /** How instances are reused: "fresh" (one per call) or "pooled". Built-in: fresh. */
        private String instances;

        /** Instances kept when instances is "pooled". Built-in: 4. */
        private Integer poolSize;

        /** How code runs: "compiled" or "interpreted". Built-in: compiled. */
        private String mode;

        /** Time limit of one outbound HTTP request (when allowed-hosts grants any). Built-in: 5s. */
        private Duration httpTimeout;

        /** Largest response body of one outbound HTTP request. Built-in: 1MB. */
        private DataSize maxHttpResponseBytes;

        /** Outbound HTTP requests of the plugin in flight at once, over all its instances. Built-in: 4. */
        private Integer maxHttpConcurrency;

        private final FuelCosts fuelCosts = new FuelCosts();

        private final Capabilities capabilities = new Capabilities();

        private final LoadLimits loadLimits = new LoadLimits();

        public DataSize getMaxMemory() {
            return maxMemory;
        }

        public void setMaxMemory(DataSize maxMemory) {
            this.maxMemory = maxMemory;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        public DataSize getMaxInputBytes() {
            return maxInputBytes;
        }

        public void setMaxInputBytes(DataSize maxInputBytes) {
            this.maxInputBytes = maxInputBytes;
        }

        public DataSize getMaxOutputBytes() {
            return maxOutputBytes;
        }

        public void setMaxOutputBytes(DataSize maxOutputBytes) {
            this.maxOutputBytes = maxOutputBytes;
        }

        public DataSize getMaxModuleBytes() {
            return maxModuleBytes;
        }

        public void setMaxModuleBytes(DataSize maxModuleBytes) {
            this.maxModuleBytes = maxModuleBytes;
        }

        public DataSize getMaxVarBytes() {
            return maxVarBytes;
        }

        public void setMaxVarBytes(DataSize maxVarBytes) {
            this.maxVarBytes = maxVarBytes;
        }

        public DataSize getMaxLogBytes() {
            return maxLogBytes;
        }

        public void setMaxLogBytes(DataSize maxLogBytes) {
            this.maxLogBytes = maxLogBytes;
        }

        public Long getFuel() {
            return fuel;
        }

        public void setFuel(Long fuel) {
            this.fuel = fuel;
        }

        public String getInstances() {
            return instances;
        }

        public void setInstances(String instances) {
            this.instances = instances;
        }

        public Integer getPoolSize() {
            return poolSize;
        }

        public void setPoolSize(Integer poolSize) {
            this.poolSize = poolSize;
        }

        public String getMode() {
            return mode;
        }

        public void setMode(String mode) {
            this.mode = mode;
        }

        public Duration getHttpTimeout() {
            return httpTimeout;
        }

        public void setHttpTimeout(Duration httpTimeout) {
            this.httpTimeout = httpTimeout;
        }

        public DataSize getMaxHttpResponseBytes() {
            return maxHttpResponseBytes;
        }

        public void setMaxHttpResponseBytes(DataSize maxHttpResponseBytes) {
            this.maxHttpResponseBytes = maxHttpResponseBytes;
        }

        public Integer getMaxHttpConcurrency() {
            return maxHttpConcurrency;
        }

        public void setMaxHttpConcurrency(Integer maxHttpConcurrency) {
            this.maxHttpConcurrency = maxHttpConcurrency;
        }

        public FuelCosts getFuelCosts() {
            return fuelCosts;
        }

        public Capabilities getCapabilities() {
            return capabilities;
        }

        public LoadLimits getLoadLimits() {
            return loadLimits;
        }
    }

    /**
     * The load budget: what a module may declare, checked before it is parsed, and how long compiling it
     * may take. Each unset value is inherited (defaults, then built-in); under graft.limits.load-limits the
     * same keys are ceilings.
     */
    public static class LoadLimits {

        /** Locals one function may declare, summed over its local entries. Built-in: 50000. */
        private Long maxLocalsPerFunction;

        /** Locals of all functions together. Built-in: 2000000. */
        private Long maxLocalsTotal;

        /** Imported and defined functions. Built-in: 100000. */
        private Long maxFunctions;

        /** Type definitions. Built-in: 100000. */
        private Long maxTypes;

        /** Entries of the import section. Built-in: 100000. */
        private Long maxImports;

        /** Entries of the export section. Built-in: 100000. */
        private Long maxExports;

        /** Defined globals. Built-in: 100000. */
        private Long maxGlobals;

        /** Initial sizes of all tables together. Built-in: 1000000. */
        private Long maxTableEntries;

        /** Entries of all element segments together. Built-in: 1000000. */
        private Long maxElementEntries;

        /** All custom sections together (names, debug info; stripped unparsed). Built-in: 16MB. */
        private DataSize maxCustomSectionBytes;

        /** Functions with a body of 32 KiB or more (likely over the JVM method limit), compiled mode only. Built-in: 16. */
        private Long maxHugeFunctions;

        /** Wall clock for metering, parsing and compiling a module. Built-in: 60s. */
        private Duration compileTimeout;

        public Long getMaxLocalsPerFunction() {
            return maxLocalsPerFunction;
        }

        public void setMaxLocalsPerFunction(Long maxLocalsPerFunction) {
            this.maxLocalsPerFunction = maxLocalsPerFunction;
        }

        public Long getMaxLocalsTotal() {
            return maxLocalsTotal;
        }

        public void setMaxLocalsTotal(Long maxLocalsTotal) {
            this.maxLocalsTotal = maxLocalsTotal;
        }

        public Long getMaxFunctions() {
            return maxFunctions;
        }

        public void setMaxFunctions(Long maxFunctions) {
            this.maxFunctions = maxFunctions;
        }

        public Long getMaxTypes() {
            return maxTypes;
        }

        public void setMaxTypes(Long maxTypes) {
            this.maxTypes = maxTypes;
        }

        public Long getMaxImports() {
            return maxImports;
        }

        public void setMaxImports(Long maxImports) {
            this.maxImports = maxImports;
        }

        public Long getMaxExports() {
            return maxExports;
        }

        public void setMaxExports(Long maxExports) {
            this.maxExports = maxExports;
        }

        public Long getMaxGlobals() {
            return maxGlobals;
        }

        public void setMaxGlobals(Long maxGlobals) {
            this.maxGlobals = maxGlobals;
        }

        public Long getMaxTableEntries() {
            return maxTableEntries;
        }

        public void setMaxTableEntries(Long maxTableEntries) {
            this.maxTableEntries = maxTableEntries;
        }

        public Long getMaxElementEntries() {
            return maxElementEntries;
        }

        public void setMaxElementEntries(Long maxElementEntries) {
            this.maxElementEntries = maxElementEntries;
        }

        public DataSize getMaxCustomSectionBytes() {
            return maxCustomSectionBytes;
        }

        public void setMaxCustomSectionBytes(DataSize maxCustomSectionBytes) {
            this.maxCustomSectionBytes = maxCustomSectionBytes;
        }

        public Long getMaxHugeFunctions() {
            return maxHugeFunctions;
        }

        public void setMaxHugeFunctions(Long maxHugeFunctions) {
            this.maxHugeFunctions = maxHugeFunctions;
        }

        public Duration getCompileTimeout() {
            return compileTimeout;
        }

        public void setCompileTimeout(Duration compileTimeout) {
            this.compileTimeout = compileTimeout;
        }
    }

    /** Weights of the fuel cost model; each unset value is inherited (defaults, then built-in). */
    public static class FuelCosts {

        /** Fuel per executed instruction. Built-in: 1. */
        private Long instructionCost;

        /** Extra fuel per byte of memory.copy, memory.fill and memory.init. Built-in: 1. */
        private Long bulkMemoryPerByte;

        /** Extra fuel per requested 64 KiB page of memory.grow. Built-in: 1000. */
        private Long memoryGrowPerPage;

        /** Fuel charged per host function call. Built-in: 100. */
        private Long hostCallFixed;

        /** Fuel charged per byte a host function moves in or out of the plugin. Built-in: 1. */
        private Long hostCallPerByte;

        public Long getInstructionCost() {
            return instructionCost;
        }

        public void setInstructionCost(Long instructionCost) {
            this.instructionCost = instructionCost;
        }

        public Long getBulkMemoryPerByte() {
            return bulkMemoryPerByte;
        }

        public void setBulkMemoryPerByte(Long bulkMemoryPerByte) {
            this.bulkMemoryPerByte = bulkMemoryPerByte;
        }

        public Long getMemoryGrowPerPage() {
            return memoryGrowPerPage;
        }

        public void setMemoryGrowPerPage(Long memoryGrowPerPage) {
            this.memoryGrowPerPage = memoryGrowPerPage;
        }

        public Long getHostCallFixed() {
            return hostCallFixed;
        }

        public void setHostCallFixed(Long hostCallFixed) {
            this.hostCallFixed = hostCallFixed;
        }

        public Long getHostCallPerByte() {
            return hostCallPerByte;
        }

        public void setHostCallPerByte(Long hostCallPerByte) {
            this.hostCallPerByte = hostCallPerByte;
        }
    }

    /** What a plugin may touch beyond its own memory; nothing unless granted. */
    public static class Capabilities {

        /** Host functions (extism:host/user names) the plugin may import. */
        private List<String> hostFunctions;

        /** Link WASI preview 1 at all (args empty, no variables or files unless granted). */
        private Boolean wasi;

        /** WASI clock functions. */
        private Boolean clock;

        /** WASI random_get. */
        private Boolean random;

        /** WASI writes to stdout, sent to the plugin's logger. */
        private Boolean stdout;

        /** WASI writes to stderr, sent to the plugin's logger. */
        private Boolean stderr;

        /** Environment variables the plugin sees through WASI, by name. */
        private Map<String, String> env;

        /**
         * Read-only files as "GUEST=HOST" entries: the guest path the plugin sees (e.g. "/data") and a host
         * folder or file ("file:/srv/data", a bare path, or "classpath:static"), copied into an in-memory file
         * system when the plugin loads (never exposed live). Implies wasi.
         */
        private List<String> files;

        /**
         * Hosts the plugin may reach with Extism's http_request: "[scheme://]host[:port]" matched exactly
         * (https and its port unless written), or "*.example.com" for subdomains only.
         */
        private List<String> allowedHosts;

        public List<String> getHostFunctions() {
            return hostFunctions;
        }

        public void setHostFunctions(List<String> hostFunctions) {
            this.hostFunctions = hostFunctions;
        }

        public Boolean getWasi() {
            return wasi;
        }

        public void setWasi(Boolean wasi) {
            this.wasi = wasi;
        }

        public Boolean getClock() {
            return clock;
        }

        public void setClock(Boolean clock) {
            this.clock = clock;
        }

        public Boolean getRandom() {
            return random;
        }

        public void setRandom(Boolean random) {
            this.random = random;
        }

        public Boolean getStdout() {
            return stdout;
        }

        public void setStdout(Boolean stdout) {
            this.stdout = stdout;
        }

        public Boolean getStderr() {
            return stderr;
        }

        public void setStderr(Boolean stderr) {
            this.stderr = stderr;
        }

        public Map<String, String> getEnv() {
            return env;
        }

        public void setEnv(Map<String, String> env) {
            this.env = env;
        }

        public List<String> getFiles() {
            return files;
        }

        public void setFiles(List<String> files) {
            this.files = files;
        }

        public List<String> getAllowedHosts() {
            return allowedHosts;
        }

        public void setAllowedHosts(List<String> allowedHosts) {
            this.allowedHosts = allowedHosts;
        }
    }

    /** Ceilings no plugin policy (nor the defaults) may exceed; none when unset. */
    public static class Limits {

        /** Ceiling of max-memory. */
        private DataSize maxMemory;

        /** Ceiling of timeout. */
        private Duration timeout;

        /** Ceiling of fuel; when set, unmetered plugins (fuel 0) are refused too. */
        private Long fuel;

        /** Ceiling of max-input-bytes. */
        private DataSize maxInputBytes;

        /** Ceiling of max-output-bytes. */
        private DataSize maxOutputBytes;

        /** Ceiling of max-log-bytes. */
        private DataSize maxLogBytes;

        /** Ceilings of the load budget (load-limits.*), key by key. */
        private final LoadLimits loadLimits = new LoadLimits();

        public DataSize getMaxMemory() {
            return maxMemory;
        }

        public void setMaxMemory(DataSize maxMemory) {
            this.maxMemory = maxMemory;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        public Long getFuel() {
            return fuel;
        }

        public void setFuel(Long fuel) {
            this.fuel = fuel;
        }

        public DataSize getMaxInputBytes() {
            return maxInputBytes;
        }

        public void setMaxInputBytes(DataSize maxInputBytes) {
            this.maxInputBytes = maxInputBytes;
        }

        public DataSize getMaxOutputBytes() {
            return maxOutputBytes;
        }

        public void setMaxOutputBytes(DataSize maxOutputBytes) {
            this.maxOutputBytes = maxOutputBytes;
        }

        public DataSize getMaxLogBytes() {
            return maxLogBytes;
        }

        public void setMaxLogBytes(DataSize maxLogBytes) {
            this.maxLogBytes = maxLogBytes;
        }

        public LoadLimits getLoadLimits() {
            return loadLimits;
        }
    }

    /** Host functions offered by application beans ({@code @HostFunction} methods). */
    public static class HostFunctions {

        /** Largest payload a plugin may pass to a host function, or receive from one. */
        private DataSize maxBytes = DataSize.ofKilobytes(64);

        public DataSize getMaxBytes() {
            return maxBytes;
        }

        public void setMaxBytes(DataSize maxBytes) {
            this.maxBytes = maxBytes;
        }
    }
}
