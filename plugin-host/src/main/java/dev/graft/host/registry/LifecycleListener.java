package dev.graft.host.registry;

/**
 * Told about every {@link LifecycleEvent} of a {@link PluginRegistry}, synchronously, on the thread
 * that made the change. Must be quick and must not throw (an exception is logged and ignored: the audit
 * trail never stops the registry).
 */
@FunctionalInterface
public interface LifecycleListener {

    void onLifecycleEvent(LifecycleEvent event);
}
