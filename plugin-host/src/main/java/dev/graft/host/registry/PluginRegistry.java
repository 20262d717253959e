package dev.graft.host.registry;

import dev.graft.api.ExtensionPoint;
import dev.graft.api.Extensions;
import dev.graft.api.PluginLoadException;
import dev.graft.api.PluginUnavailableException;
import dev.graft.host.binding.ExtensionContract;
import dev.graft.host.binding.ExtensionProxy;
import dev.graft.host.binding.JacksonPayloadCodec;
import dev.graft.host.binding.PayloadCodec;
import dev.graft.host.binding.PluginCaller;
import dev.graft.host.engine.CallResult;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugins an application has loaded, by id: load, enable, disable, reload and unload them while
 * the application runs, and hand out {@linkplain #extensions(Class) live extension views} that always
 * reflect the current state. Framework-free and thread-safe.
 *
 * <p>State changes are published atomically: a reader (a view, {@link #plugin(String)},
 * {@link #descriptors()}) sees either the state before a change or after it, never a mix. Loading
 * (reading and compiling a module) happens outside the registry's lock, so a slow load never blocks
 * calls or other plugins' changes.
 *
 * <p>A {@linkplain #reload reload} swaps versions atomically: calls already running finish on the old
 * version, which is closed once the last of them returns; calls starting afterwards use the new one. A
 * new version that fails to load leaves the old one serving, and the failure is recorded in the
 * plugin's {@linkplain PluginDescriptor#lastError() descriptor}.
 *
 * <p>Calls through views are guarded: each plugin has a {@linkplain CircuitBreaker circuit breaker}
 * ({@link #configureBreaker}) that quarantines it after consecutive failures, an extension point may
 * have a {@linkplain #setFallback fallback} that answers when a plugin call fails, and
 * {@linkplain #addCallInterceptor interceptors} wrap every call (tracing).
 *
 * <pre>{@code
 * PluginRegistry registry = new PluginRegistry(GraftEngine.create());
 * registry.load(PluginSpec.builder(source).extensionPoint(PricingRule.class).build(), 10, true);
 * Extensions<PricingRule> rules = registry.extensions(PricingRule.class);   // hold this, it stays current
 * registry.disable("volume-discount");                                       // rules.list() no longer has it
 * }</pre>
 */
public final class PluginRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PluginRegistry.class);

    private static final Comparator<Entry> BY_ORDER_THEN_ID =
            Comparator.comparingInt(Entry::order).thenComparing(Entry::id);

    /**
     * One registered plugin at one moment; replaced, never changed. {@code spec} is what the serving version
     * (or the last attempt) was loaded from; {@code configured} is what the plugin was registered with, which
     * {@link #reload(String)} and {@link #revert(String)} read again (they differ after an upload).
     */
    private record Entry(String id, PluginSpec spec, PluginSpec configured, int order, boolean enabled,
            PluginVersion version, String lastError) {

        Entry(String id, PluginSpec spec, int order, boolean enabled, PluginVersion version, String lastError) {
            this(id, spec, spec, order, enabled, version, lastError);
        }

        boolean uploaded() {
            return spec != configured;
        }

        boolean serving() {
            return enabled && version != null;
        }

        PluginState state() {
            return version == null ? PluginState.FAILED : enabled ? PluginState.ENABLED : PluginState.DISABLED;
        }
    }

    /** The contents of one extension view in one state: plugin ids and their proxies, in order. */
    record ViewContents<T>(List<String> ids, List<T> extensions) {

        T byId(String id) {
            int index = ids.indexOf(id);
            return index < 0 ? null : extensions.get(index);
        }
    }

    /**
     * Everything readers need, published as one volatile reference. The views computed from a state are
     * memoized in it, so repeated view access between changes costs a map lookup.
     */
    private record State(Map<String, Entry> byId, List<Entry> ordered, Map<Class<?>, ViewContents<?>> views) {

        static State of(Map<String, Entry> byId) {
            List<Entry> ordered = new ArrayList<>(byId.values());
            ordered.sort(BY_ORDER_THEN_ID);
            return new State(Collections.unmodifiableMap(byId), List.copyOf(ordered), new ConcurrentHashMap<>());
        }
    }

    private final GraftEngine engine;
    private final PayloadCodec codec;
    private final Clock clock;
    private final Object writeLock = new Object();
    private final Map<Class<?>, Extensions<?>> viewsByType = new ConcurrentHashMap<>();
    private volatile State state = State.of(new LinkedHashMap<>());

    /** Default breaker settings: quarantine after 5 consecutive failures, for 30 seconds. */
    public static final int DEFAULT_FAILURE_THRESHOLD = 5;
    public static final Duration DEFAULT_COOL_DOWN = Duration.ofSeconds(30);

    private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
    private volatile int failureThreshold = DEFAULT_FAILURE_THRESHOLD;
    private volatile Duration coolDown = DEFAULT_COOL_DOWN;
    private final Map<Class<?>, Supplier<?>> fallbacks = new ConcurrentHashMap<>();
    private final List<CallInterceptor> interceptors = new CopyOnWriteArrayList<>();
    private final List<LifecycleListener> lifecycleListeners = new CopyOnWriteArrayList<>();
    /** Required plugins (fail closed) and the extension points each one must answer for. */
    private final Map<String, Set<Class<?>>> required = new ConcurrentHashMap<>();
    private final GuardedExtension.Policies policies = new GuardedExtension.Policies() {
        @Override
        public CircuitBreaker breaker(String pluginId) {
            return breakerOf(pluginId);
        }

        @Override
        public Supplier<?> fallback(Class<?> type) {
            return fallbacks.get(type);
        }

        @Override
        public List<CallInterceptor> interceptors() {
            return interceptors;
        }

        @Override
        public boolean required(String pluginId) {
            return required.containsKey(pluginId);
        }

        @Override
        public void breakerOpened(String pluginId, String lastFailure) {
            publish(pluginId, LifecycleEvent.Action.QUARANTINED, servingVersion(pluginId), lastFailure);
        }

        @Override
        public void breakerClosed(String pluginId, String why) {
            publish(pluginId, LifecycleEvent.Action.RELEASED, servingVersion(pluginId), why);
        }
    };

    /** A registry loading through the engine, with the default JSON codec for typed proxies. */
    public PluginRegistry(GraftEngine engine) {
        this(engine, new JacksonPayloadCodec());
    }

    /** A registry loading through the engine, encoding typed calls with the given codec. */
    public PluginRegistry(GraftEngine engine, PayloadCodec codec) {
        this(engine, codec, Clock.systemUTC());
    }

    /** A registry whose load times and circuit breakers read {@code clock} (a controllable one in tests). */
    public PluginRegistry(GraftEngine engine, PayloadCodec codec, Clock clock) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The engine plugins are loaded with. */
    public GraftEngine engine() {
        return engine;
    }

    /** Loads an enabled plugin at order 0; see {@link #load(PluginRegistration)}. */
    public Plugin load(PluginSpec spec) {
        return load(PluginRegistration.of(spec));
    }

    /** Loads a plugin; see {@link #load(PluginRegistration)}. */
    public Plugin load(PluginSpec spec, int order, boolean enabled) {
        return load(new PluginRegistration(spec, order, enabled));
    }

    /**
     * Loads a plugin under its source's id. A plugin that fails to load is still registered, in state
     * {@link PluginState#FAILED} with the reason, so operators see it; a later {@link #reload} or
     * {@code load} of the same id retries.
     *
     * @return the loaded plugin
     * @throws PluginLoadException when the plugin is refused (the failure is also recorded)
     * @throws IllegalStateException when a plugin with that id is already loaded (use {@link #reload})
     */
    public Plugin load(PluginRegistration registration) {
        String id = registration.id();
        Entry existing = state.byId().get(id);
        if (existing != null && existing.version() != null) {
            throw new IllegalStateException("plugin '" + id + "' is already loaded; reload or unload it first");
        }
        PluginVersion version;
        try {
            version = loadVersion(registration.spec());
        } catch (PluginLoadException failure) {
            Entry failed = new Entry(id, registration.spec(), registration.order(), registration.enabled(), null,
                    failure.getMessage());
            update(id, current -> current == null || current.version() == null ? failed : current);
            publishRefusal(id, registration.spec(), failure);
            throw failure;
        }
        Entry loaded = new Entry(id, registration.spec(), registration.order(), registration.enabled(), version, null);
        boolean[] raced = {false};
        update(id, current -> {
            if (current != null && current.version() != null) {
                raced[0] = true;
                return current;
            }
            return loaded;
        });
        if (raced[0]) {
            version.retire();
            throw new IllegalStateException("plugin '" + id + "' was loaded concurrently; reload it instead");
        }
        log.info("Loaded plugin '{}' from {} (sha256 {}, {})", id, registration.spec().source().location(),
                version.plugin().sha256(), registration.enabled() ? "enabled" : "disabled");
        publish(id, LifecycleEvent.Action.LOADED, version, registration.enabled() ? "enabled" : "disabled");
        return version.plugin();
    }

    /**
     * Replaces a plugin with a new version, atomically. Calls already running finish on the old version
     * (closed once they have); calls starting after this method returns use the new one. Order and
     * enabled flag are kept. When the new version fails to load, the old one keeps serving and the
     * failure is recorded on the plugin's descriptor.
     *
     * @param id the registered plugin
     * @param newSpec what to load; its source must carry the same id
     * @return the new version
     * @throws PluginLoadException when the new version is refused
     * @throws IllegalArgumentException when no plugin with that id is registered, or the ids differ
     */
    public Plugin reload(String id, PluginSpec newSpec) {
        return swap(id, newSpec, null, Swap.RECONFIGURE);
    }

    /**
     * Serves a version that is not the plugin's configured one, such as an uploaded module, atomically
     * (like {@link #reload(String, PluginSpec)}), but keeps what the plugin was registered with:
     * {@link #reload(String)} and {@link #revert(String)} load the configured location again. Published
     * as {@link LifecycleEvent.Action#UPLOADED}.
     *
     * @return the new version
     * @throws PluginLoadException when the version is refused (the serving one keeps serving)
     * @throws IllegalArgumentException when no plugin with that id is registered, or the ids differ
     */
    public Plugin upload(String id, PluginSpec uploadedSpec) {
        return swap(id, uploadedSpec, null, Swap.UPLOAD);
    }

    /**
     * Returns to the configured version after an {@linkplain #upload upload}: loads the location the plugin
     * was registered with again, like {@link #reload(String)}, published as
     * {@link LifecycleEvent.Action#REVERTED}.
     *
     * @throws PluginLoadException when the configured version is refused (the serving one keeps serving)
     * @throws IllegalArgumentException when no plugin with that id is registered
     */
    public Plugin revert(String id) {
        Entry entry = state.byId().get(id);
        if (entry == null) {
            throw new IllegalArgumentException("no plugin '" + id + "' is registered");
        }
        return swap(id, entry.configured(), null, Swap.REVERT);
    }

    /** Whether the plugin serves a version that is not its configured one (an {@linkplain #upload upload}). */
    public boolean servesUpload(String id) {
        Entry entry = state.byId().get(id);
        return entry != null && entry.uploaded() && entry.version() != null;
    }

    /**
     * Reloads a plugin from what it was registered with: its location is read again (a changed file is
     * picked up, a pinned sha256 still applies), also after an {@linkplain #upload upload}, whose version
     * it replaces. Also retries a plugin registered as {@code FAILED}.
     *
     * @throws PluginLoadException when the plugin is refused (the previous version, if any, keeps serving)
     * @throws IllegalArgumentException when no plugin with that id is registered
     */
    public Plugin reload(String id) {
        Entry entry = state.byId().get(id);
        if (entry == null) {
            throw new IllegalArgumentException("no plugin '" + id + "' is registered");
        }
        return swap(id, entry.configured(), null, Swap.RELOAD);
    }

    /**
     * Like {@link #reload(String, PluginSpec)}, but the plugin also takes the registration's order and
     * enabled flag (for a source of truth such as a plugin folder's settings file). On failure nothing
     * changes but the recorded error.
     *
     * @throws PluginLoadException when the new version is refused
     * @throws IllegalArgumentException when no plugin with the registration's id is registered
     */
    public Plugin reload(PluginRegistration registration) {
        return swap(registration.id(), registration.spec(), registration, Swap.RECONFIGURE);
    }

    /** Why a version is swapped in: decides what the entry's configured spec becomes and what is published. */
    private enum Swap {
        /** The configured spec, read again. */
        RELOAD(LifecycleEvent.Action.RELOADED),
        /** A new configured spec. */
        RECONFIGURE(LifecycleEvent.Action.RELOADED),
        /** A version beside the configured spec. */
        UPLOAD(LifecycleEvent.Action.UPLOADED),
        /** The configured spec, in place of an upload. */
        REVERT(LifecycleEvent.Action.REVERTED);

        final LifecycleEvent.Action action;

        Swap(LifecycleEvent.Action action) {
            this.action = action;
        }
    }

    private Plugin swap(String id, PluginSpec newSpec, PluginRegistration placement, Swap kind) {
        if (!id.equals(newSpec.source().pluginId())) {
            throw new IllegalArgumentException("cannot reload plugin '" + id + "' from a source with id '"
                    + newSpec.source().pluginId() + "'");
        }
        requireRegistered(id);
        PluginVersion fresh;
        try {
            fresh = loadVersion(newSpec);
        } catch (PluginLoadException failure) {
            update(id, current -> current == null ? null
                    : new Entry(id, current.version() == null ? newSpec : current.spec(),
                            kind == Swap.RECONFIGURE ? newSpec : current.configured(), current.order(),
                            current.enabled(), current.version(), failure.getMessage()));
            log.warn("Reload of plugin '{}' failed; {}: {}", id,
                    state.byId().containsKey(id) && state.byId().get(id).version() != null
                            ? "the previous version keeps serving" : "no version is serving",
                    failure.getMessage());
            publishRefusal(id, newSpec, failure);
            throw failure;
        }
        PluginVersion[] replaced = {null};
        boolean[] gone = {false};
        update(id, current -> {
            if (current == null) {
                gone[0] = true;
                return null;
            }
            replaced[0] = current.version();
            PluginSpec configured = kind == Swap.RECONFIGURE ? newSpec : current.configured();
            // Reload and revert load the configured spec itself, so that the entry no longer counts as uploaded.
            PluginSpec serving = kind == Swap.UPLOAD ? newSpec : kind == Swap.RECONFIGURE ? newSpec : configured;
            return placement == null
                    ? new Entry(id, serving, configured, current.order(), current.enabled(), fresh, null)
                    : new Entry(id, serving, configured, placement.order(), placement.enabled(), fresh, null);
        });
        if (gone[0]) {
            fresh.retire();
            throw new IllegalStateException("plugin '" + id + "' was unloaded while it was being reloaded");
        }
        // Published first, retired second: a call that finds the old version retired looks up the new one.
        if (replaced[0] != null) {
            replaced[0].retire();
        }
        boolean wasQuarantined = resetBreakerOf(id);   // a new version starts with a closed breaker
        log.info("{} plugin '{}' from {} (sha256 {})", switch (kind) {
            case UPLOAD -> "Uploaded a new version of";
            case REVERT -> "Reverted";
            default -> "Reloaded";
        }, id, newSpec.source().location(), fresh.plugin().sha256());
        publish(id, kind.action, fresh, null);
        if (wasQuarantined) {
            publish(id, LifecycleEvent.Action.RELEASED, fresh, "a new version starts with a closed breaker");
        }
        return fresh.plugin();
    }

    /**
     * Lets the plugin serve: views list it from now on.
     *
     * @throws IllegalArgumentException when no plugin with that id is registered
     */
    public void enable(String id) {
        setEnabled(id, true);
    }

    /**
     * Stops the plugin serving at once: views no longer list it, and calls through proxies obtained
     * earlier are refused with {@link PluginUnavailableException}. Calls already running finish.
     *
     * @throws IllegalArgumentException when no plugin with that id is registered
     */
    public void disable(String id) {
        setEnabled(id, false);
    }

    private void setEnabled(String id, boolean enabled) {
        requireRegistered(id);
        boolean released = enabled && resetBreakerOf(id);   // enabling is an operator's decision: it ends a quarantine
        update(id, current -> current == null ? null
                : new Entry(id, current.spec(), current.configured(), current.order(), enabled, current.version(),
                        current.lastError()));
        log.info("Plugin '{}' {}", id, enabled ? "enabled" : "disabled");
        PluginVersion version = servingVersion(id);
        publish(id, enabled ? LifecycleEvent.Action.ENABLED : LifecycleEvent.Action.DISABLED, version,
                null);
        if (released) {
            publish(id, LifecycleEvent.Action.RELEASED, version, "enabled by an operator");
        }
    }

    /**
     * Removes the plugin. Views stop listing it at once; calls already running finish, then its
     * instances are released.
     *
     * @return whether a plugin with that id was registered
     */
    public boolean unload(String id) {
        Entry[] removed = {null};
        update(id, current -> {
            removed[0] = current;
            return null;
        });
        if (removed[0] == null) {
            return false;
        }
        if (removed[0].version() != null) {
            removed[0].version().retire();
        }
        breakers.remove(id);
        log.info("Unloaded plugin '{}'", id);
        publish(id, LifecycleEvent.Action.UNLOADED, removed[0].version(), null);
        return true;
    }

    /**
     * The serving version of a plugin, when it is loaded and enabled. Prefer {@link #extensions(Class)}:
     * this is the raw plugin, which a later reload or unload closes (once the calls made through the
     * registry have finished), after which calling it fails with {@link IllegalStateException}.
     */
    public Optional<Plugin> plugin(String id) {
        Entry entry = state.byId().get(id);
        return entry != null && entry.serving() ? Optional.of(entry.version().plugin()) : Optional.empty();
    }

    /** The registered plugins, ordered by order and then id. */
    public List<PluginDescriptor> descriptors() {
        return state.ordered().stream().map(this::describe).toList();
    }

    /** The plugin's descriptor, when a plugin with that id is registered. */
    public Optional<PluginDescriptor> descriptor(String id) {
        return Optional.ofNullable(state.byId().get(id)).map(this::describe);
    }

    /**
     * The live view of the enabled plugins claiming the extension point (see
     * {@link PluginSpec.Builder#extensionPoint(Class)}). The view is cheap to hold and never goes stale.
     *
     * @throws IllegalArgumentException when the type is not an interface annotated {@link ExtensionPoint}
     */
    @SuppressWarnings("unchecked")
    public <T> Extensions<T> extensions(Class<T> extensionPoint) {
        ExtensionContract.of(extensionPoint);
        return (Extensions<T>) viewsByType.computeIfAbsent(extensionPoint, type -> new RegistryExtensions<>(this, extensionPoint));
    }

    /**
     * Sets the circuit breaker of every plugin: after {@code failureThreshold} consecutive failed calls
     * through views (0: never) the plugin is quarantined for {@code coolDown}, then one trial call decides.
     * Breakers start afresh.
     */
    public void configureBreaker(int failureThreshold, Duration coolDown) {
        new CircuitBreaker(failureThreshold, coolDown, clock);   // validates
        this.failureThreshold = failureThreshold;
        this.coolDown = coolDown;
        breakers.clear();
    }

    /** The plugin's breaker status, when a plugin with that id is registered. */
    public Optional<CircuitBreaker.Status> breaker(String id) {
        return state.byId().containsKey(id) ? Optional.of(breakerOf(id).status()) : Optional.empty();
    }

    /** Closes a plugin's breaker: a quarantine ends now. */
    public void resetBreaker(String id) {
        requireRegistered(id);
        if (resetBreakerOf(id)) {
            publish(id, LifecycleEvent.Action.RELEASED, servingVersion(id), "breaker reset by an operator");
        }
        log.info("Circuit breaker of plugin '{}' reset", id);
    }

    /**
     * Closes the breaker, keeping its cumulative counts (times opened, rejected calls, fallbacks).
     *
     * @return whether it was open or half-open (a quarantine ended)
     */
    private boolean resetBreakerOf(String id) {
        CircuitBreaker breaker = breakers.get(id);
        if (breaker == null) {
            return false;
        }
        boolean quarantined = breaker.status().quarantined();
        breaker.reset();
        return quarantined;
    }

    CircuitBreaker breakerOf(String id) {
        return breakers.computeIfAbsent(id, key -> new CircuitBreaker(failureThreshold, coolDown, clock));
    }

    /**
     * Sets what answers for a plugin of the extension point whose call fails with a
     * {@link dev.graft.api.PluginException} (including a quarantined or disabled plugin): the fallback
     * is called with the same arguments and its result returned instead. {@code null} removes it, so
     * failures are thrown again.
     */
    public <T> void setFallback(Class<T> extensionPoint, T fallback) {
        setFallbackSupplier(extensionPoint, fallback == null ? null : () -> fallback);
    }

    /**
     * Like {@link #setFallback(Class, Object)}, with the fallback looked up when a call first needs it
     * (for example a Spring bean).
     */
    public <T> void setFallbackSupplier(Class<T> extensionPoint, Supplier<? extends T> fallback) {
        ExtensionContract.of(extensionPoint);
        if (fallback == null) {
            fallbacks.remove(extensionPoint);
        } else {
            fallbacks.put(extensionPoint, fallback);
        }
    }

    /** Whether calls of the extension point fall back to a Java default when a plugin fails. */
    public boolean hasFallback(Class<?> extensionPoint) {
        return fallbacks.containsKey(extensionPoint);
    }

    /** Adds an interceptor around every call through views, inside those added before. */
    public void addCallInterceptor(CallInterceptor interceptor) {
        interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
    }

    public void removeCallInterceptor(CallInterceptor interceptor) {
        interceptors.remove(interceptor);
    }

    /**
     * Marks a plugin required for the given extension points, or (with an empty set) no longer required.
     * A required plugin <em>fails closed</em>: while it is disabled, failed, unloaded, not registered at
     * all, or quarantined, the views of those extension points still list it, and calling it throws
     * {@link PluginUnavailableException} (or {@link dev.graft.api.PluginQuarantinedException}) instead
     * of skipping it; and no failure of a required plugin is answered by the extension point's
     * {@linkplain #setFallback fallback}. So an application never silently computes without it.
     *
     * @param pluginId the plugin, registered or not (yet)
     * @param extensionPoints the extension points it must answer for; empty: not required
     */
    public void setRequired(String pluginId, Set<Class<?>> extensionPoints) {
        Objects.requireNonNull(pluginId, "pluginId");
        extensionPoints.forEach(ExtensionContract::of);
        synchronized (writeLock) {
            if (extensionPoints.isEmpty()) {
                required.remove(pluginId);
            } else {
                required.put(pluginId, Set.copyOf(extensionPoints));
            }
            state = State.of(new LinkedHashMap<>(state.byId()));   // views are rebuilt with the new rule
        }
    }

    /** Whether the plugin is {@linkplain #setRequired required}. */
    public boolean isRequired(String pluginId) {
        return required.containsKey(pluginId);
    }

    /**
     * Adds a listener told about every load, refusal, reload, upload, revert, enable, disable, quarantine,
     * release and unload (an audit trail), synchronously on the thread that made the change.
     */
    public void addLifecycleListener(LifecycleListener listener) {
        lifecycleListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeLifecycleListener(LifecycleListener listener) {
        lifecycleListeners.remove(listener);
    }

    /** Unloads every plugin. */
    @Override
    public void close() {
        for (Entry entry : state.ordered()) {
            unload(entry.id());
        }
    }

    /** The contents of the view of a type in the current state, built once per state. */
    @SuppressWarnings("unchecked")
    <T> ViewContents<T> view(Class<T> type) {
        State current = state;
        return (ViewContents<T>) current.views().computeIfAbsent(type, t -> {
            List<String> ids = new ArrayList<>();
            List<T> extensions = new ArrayList<>();
            for (Entry entry : current.ordered()) {
                if (entry.serving() && entry.version().claims(type)) {
                    ids.add(entry.id());
                    extensions.add(proxyOf(entry.id(), entry.version(), type));
                } else if (requiredFor(entry.id(), type)) {
                    ids.add(entry.id());   // fail closed: listed, and calling it is refused
                    extensions.add(unavailable(entry.id(), type, entry.version() == null ? "has no loaded version"
                            : !entry.enabled() ? "is disabled"
                            : "serves a version that does not implement " + type.getName()));
                }
            }
            required.keySet().stream().sorted().filter(id -> !current.byId().containsKey(id) && requiredFor(id, type))
                    .forEach(id -> {
                        ids.add(id);
                        extensions.add(unavailable(id, type, "is required but not registered"));
                    });
            return new ViewContents<>(List.copyOf(ids), List.copyOf(extensions));
        });
    }

    private boolean requiredFor(String id, Class<?> type) {
        Set<Class<?>> points = required.get(id);
        return points != null && points.contains(type);
    }

    /** What a view lists for a required plugin that is not serving: a guarded extension whose calls are refused. */
    private <T> T unavailable(String id, Class<T> type, String why) {
        ExtensionContract contract = ExtensionContract.of(type);
        T refusing = type.cast(java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return switch (method.getName()) {
                            case "equals" -> proxy == args[0];
                            case "hashCode" -> System.identityHashCode(proxy);
                            default -> "Unavailable{" + contract.id() + " -> " + id + "}";
                        };
                    }
                    throw new PluginUnavailableException(id, why + " and is required; call to '"
                            + contract.exportOf(method) + "' refused");
                }));
        return GuardedExtension.wrap(id, type, refusing, policies);
    }

    private <T> T proxyOf(String id, PluginVersion version, Class<T> type) {
        return version.proxy(type, t -> GuardedExtension.wrap(id, t, ExtensionProxy.create(t, ExtensionContract.of(t),
                new RoutingCaller(id, version, t), codec, id, version.spec().fuelBudgets().get(t)), policies));
    }

    private PluginVersion loadVersion(PluginSpec spec) {
        String id = spec.source().pluginId();
        Plugin plugin;
        try {
            plugin = engine.load(spec);
        } catch (PluginLoadException e) {
            throw e;
        } catch (RuntimeException e) {
            // For example a claimed type that is not an @ExtensionPoint: still a refusal of this plugin.
            throw new PluginLoadException(id, e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
        return new PluginVersion(spec, plugin, clock.instant());
    }

    private void requireRegistered(String id) {
        if (!state.byId().containsKey(id)) {
            throw new IllegalArgumentException("no plugin '" + id + "' is registered");
        }
    }

    /** Replaces (or with {@code null}, removes) one entry and publishes the new state. */
    private void update(String id, UnaryOperator<Entry> change) {
        synchronized (writeLock) {
            Map<String, Entry> next = new LinkedHashMap<>(state.byId());
            Entry changed = change.apply(next.get(id));
            if (changed == null) {
                next.remove(id);
            } else {
                next.put(id, changed);
            }
            state = State.of(next);
        }
    }

    private PluginVersion servingVersion(String id) {
        Entry entry = state.byId().get(id);
        return entry == null ? null : entry.version();
    }

    private void publishRefusal(String id, PluginSpec spec, PluginLoadException failure) {
        publish(new LifecycleEvent(clock.instant(), id, LifecycleEvent.Action.REFUSED,
                null, null, spec.source().location(), failure.getMessage()));
    }

    private void publish(String id, LifecycleEvent.Action action, PluginVersion version, String detail) {
        publish(new LifecycleEvent(clock.instant(), id, action,
                version == null ? null : version.plugin().sha256(), version == null ? null : signerOf(version.plugin()),
                version == null ? null : version.spec().source().location(), detail));
    }

    /** The name of the trusted key that signed the module, when the engine verified a signature. */
    private static String signerOf(Plugin plugin) {
        return plugin.signedBy().orElse(null);
    }

    private void publish(LifecycleEvent event) {
        if (lifecycleListeners.isEmpty()) {
            return;
        }
        for (LifecycleListener listener : lifecycleListeners) {
            try {
                listener.onLifecycleEvent(event);
            } catch (RuntimeException e) {
                log.warn("Lifecycle listener {} failed on {}: {}", listener, event, e.toString());
            }
        }
    }

    private PluginDescriptor describe(Entry entry) {
        PluginVersion version = entry.version();
        List<String> points = entry.spec().extensionPoints().stream().map(PluginRegistry::extensionPointId).toList();
        CircuitBreaker.Status breaker = breakerOf(entry.id()).status();
        PluginState shown = entry.state() == PluginState.ENABLED && breaker.quarantined() ? PluginState.QUARANTINED
                : entry.state();
        return new PluginDescriptor(entry.id(), entry.spec().source().location(),
                version == null ? null : version.plugin().sha256(), shown, entry.order(),
                entry.spec().policy(), points, entry.lastError(), version == null ? null : version.loadedAt(),
                breaker);
    }

    private static String extensionPointId(Class<?> type) {
        ExtensionPoint point = type.getAnnotation(ExtensionPoint.class);
        return point == null ? type.getName() : point.id();
    }

    /**
     * What a proxy handed out by a view calls: the plugin's current version. A proxy obtained before a
     * reload follows the swap to the new version (when that still claims the type); one obtained before
     * a disable or unload is refused, so a stale reference never reaches a plugin that was taken away.
     */
    private final class RoutingCaller implements PluginCaller {

        private final String id;
        private final PluginVersion bound;
        private final Class<?> type;

        RoutingCaller(String id, PluginVersion bound, Class<?> type) {
            this.id = id;
            this.bound = bound;
            this.type = type;
        }

        @Override
        public CallResult call(String export, byte[] input) {
            return route(export, plugin -> plugin.call(export, input));
        }

        @Override
        public CallResult call(String export, byte[] input, long fuelBudget) {
            return route(export, plugin -> plugin.call(export, input, fuelBudget));
        }

        @Override
        public Object callTyped(java.lang.reflect.Method method, String export, Object[] args, long fuelBudget) {
            // Only a component takes typed calls; for an Extism plugin (or none) the byte path routes and refuses.
            Entry entry = state.byId().get(id);
            if (entry == null || entry.version() == null || !entry.version().plugin().isComponent()) {
                return NOT_TYPED;
            }
            return route(export, plugin -> plugin.callTyped(method, export, args, fuelBudget));
        }

        /** The fuel per call of the version a call starting now would use. */
        @Override
        public long fuelBudget() {
            Entry entry = state.byId().get(id);
            PluginVersion current = entry == null || entry.version() == null ? bound : entry.version();
            return current.plugin().fuelBudget();
        }

        private <R> R route(String export, Function<Plugin, R> call) {
            while (true) {
                Entry entry = state.byId().get(id);
                if (entry == null) {
                    throw new PluginUnavailableException(id, "was unloaded; call to '" + export + "' refused");
                }
                if (!entry.enabled()) {
                    throw new PluginUnavailableException(id, "is disabled; call to '" + export + "' refused");
                }
                PluginVersion target = entry.version();
                if (target == null) {
                    throw new PluginUnavailableException(id, "has no loaded version; call to '" + export + "' refused");
                }
                if (target != bound && !target.claims(type)) {
                    throw new PluginUnavailableException(id, "was reloaded with a version that no longer implements "
                            + type.getName() + "; call to '" + export + "' refused");
                }
                if (target.enter()) {
                    try {
                        return call.apply(target.plugin());
                    } finally {
                        target.exit();
                    }
                }
                // Retired between the lookup and enter(): the successor is already published; look again.
                Thread.onSpinWait();
            }
        }

        @Override
        public String toString() {
            return id;
        }
    }
}
