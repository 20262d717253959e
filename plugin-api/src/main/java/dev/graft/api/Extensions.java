package dev.graft.api;

import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A live, ordered view of the enabled plugins that implement the extension point {@code T}.
 *
 * <p>Unlike an injected {@code List<T>}, which goes stale when a plugin is disabled, reloaded or
 * unloaded, every access to this view resolves the host's current state: a plugin disabled or
 * unloaded a moment ago is no longer listed, a reloaded plugin is served by its new version. Hold the
 * view (inject it once), not the lists it returns.
 *
 * <pre>{@code
 * @Autowired Extensions<PricingRule> rules;
 *
 * for (PricingRule rule : rules) {          // the enabled pricing plugins, in their configured order
 *     adjustments.addAll(rule.apply(line));
 * }
 * rules.byId("volume-discount").ifPresent(rule -> rule.apply(line));
 * }</pre>
 *
 * <p>The elements are typed proxies: each method call runs the plugin under its policy and may throw a
 * {@link PluginException} subclass. They are safe to call from many threads.
 *
 * @param <T> the {@link ExtensionPoint} interface
 */
public interface Extensions<T> extends Iterable<T> {

    /** The extension point interface this view serves. */
    Class<T> type();

    /**
     * The enabled plugins implementing {@code T} now, ordered by their configured order and then by
     * plugin id. The returned list is an immutable snapshot; call again to see later changes.
     */
    List<T> list();

    /** The ids of the plugins {@link #list()} returns, in the same order. */
    List<String> pluginIds();

    /** The plugin with that id, when it is loaded, enabled and implements {@code T}. */
    Optional<T> byId(String pluginId);

    /** Whether no enabled plugin implements {@code T} now. */
    default boolean isEmpty() {
        return list().isEmpty();
    }

    /** Iterates over a snapshot taken when this method is called (see {@link #list()}). */
    @Override
    default Iterator<T> iterator() {
        return list().iterator();
    }

    /** A stream over a snapshot taken when this method is called (see {@link #list()}). */
    default Stream<T> stream() {
        return list().stream();
    }
}
